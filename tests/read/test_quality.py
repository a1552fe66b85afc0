from extract.read.quality import garble_ratio, judge_page


def test_readable_japanese_is_ok() -> None:
    quality, ratio = judge_page("■KPI:①サービススタンダードの達成状況を100%とする\n× 1.5 ° ±")
    assert quality == "ok"
    assert ratio == 0.0


def test_private_use_and_replacement_characters_are_garbled() -> None:
    assert judge_page("保健事業 \ue000\ue001\ue002\ue003 の \ufffd\ufffd")[0] == "garbled"


def test_shift_jis_mojibake_is_garbled() -> None:
    # 日本語テスト in Shift-JIS bytes, read as Latin-1/cp1252 by a reader without the CMap.
    assert judge_page("Hello ASCII\n\x93\u0153\x96{\x8c\u0152\x83e\x83X\x83g")[0] == "garbled"


def test_empty_page_is_no_text() -> None:
    assert judge_page(" \n\t")[0] == "no_text"
    assert garble_ratio("") == 0.0


def test_wingdings_bullets_do_not_make_a_page_garbled() -> None:
    text = "\n".join(f"\uf06c 特定健診の受診率向上に向けた取組{i}" for i in range(10))
    assert judge_page(text)[0] == "ok"


def test_a_few_stray_symbols_do_not_make_a_page_garbled() -> None:
    assert judge_page("Ḳ 保健事業の実施")[0] == "ok"
