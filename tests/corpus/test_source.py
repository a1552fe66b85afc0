"""The transcription's conventions as every producer reads them (corpus/builder/source.py): a run
the transcription holds twice over is the document's bold text, set once."""

from __future__ import annotations

from corpus.builder.source import bold_runs, parse, single


def test_a_doubled_piece_is_one_bold_run() -> None:
    assert bold_runs("課題及び阻害要因課題及び阻害要因  ●認知度：低い") == [
        ("課題及び阻害要因", True),
        ("  ●認知度：低い", False),
    ]
    # doubled pieces side by side are one bold run, the gap between them too
    assert bold_runs("齢齢 対象者対象者 実施状況・時期実施状況・時期 成功") == [
        ("齢 対象者 実施状況・時期", True),
        (" 成功", False),
    ]
    # two doubled cells read into one piece
    assert single("評価評価資格資格 対象対象") == "評価資格 対象"


def test_a_line_drawn_twice_is_one_bold_line() -> None:
    assert bold_runs(" STEP１-１ 基本情報STEP１-１ 基本情報") == [(" ", False), ("STEP１-１ 基本情報", True)]
    # a label whose numbers are each their digits doubled
    assert single("STEP１１-３３ 基本分析基本分析") == "STEP１-３ 基本分析"


def test_numbers_leaders_and_plain_text_are_not_doubled_runs() -> None:
    plain = ("11 100100 2020", "………………", "令和22年度 H22", "健診健診の受診", "ẇẇ", "男性\t女性\t男性\t女性")
    for text in plain:
        assert bold_runs(text) == [(text, False)], text


def test_headings_are_found_on_the_text_once() -> None:
    blocks = parse("STEP１１-３３ 基本分析基本分析\n事業名事業名 事業の目的および概要事業の目的および概要\n")
    assert [(b.kind, b.text, b.level) for b in blocks[:2]] == [
        ("heading", "STEP１-３ 基本分析", 1),
        ("text", "事業名 事業の目的および概要", 0),
    ]
    assert blocks[1].runs == [("事業名 事業の目的および概要", True)]
