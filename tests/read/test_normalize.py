from extract.read.normalize import normalize_text


def test_full_width_digits_and_letters_become_half_width() -> None:
    assert normalize_text("ＫＰＩ：受診率を７０．５％以上") == "KPI:受診率を70.5%以上"


def test_numbering_marks_are_kept() -> None:
    # Blanket NFKC would turn these into 1, i, (株): they label sections and KPI parts.
    text = "①②③ ⅰⅱ Ⅱ ㈱ ⑴ ㊤"
    assert normalize_text(text) == text


def test_kangxi_radicals_become_ordinary_kanji() -> None:
    assert normalize_text("検知機構を⼀つの箱内に") == "検知機構を一つの箱内に"
    assert normalize_text("⼈⼝") == "人口"


def test_cjk_radicals_supplement_becomes_ordinary_kanji() -> None:
    # NFKC leaves all of these untouched except ⺟ and ⻳.
    assert normalize_text("⻑野県 ⻄日本 ⻘年 ⻝事 ⺠間") == "長野県 西日本 青年 食事 民間"


def test_half_width_katakana_is_composed() -> None:
    assert normalize_text("ｼﾞｪﾈﾘｯｸ") == "ジェネリック"


def test_spaces_hyphens_and_zero_width() -> None:
    assert normalize_text("特定\u3000健診\u200b") == "特定 健診"
    assert normalize_text("\u2012 3 \u2012") == "- 3 -"


def test_japanese_text_is_otherwise_unchanged() -> None:
    text = "特定健診実施率を前年度以上とする。「ジェネリック」（後発医薬品）ー"
    assert normalize_text(text) == "特定健診実施率を前年度以上とする。「ジェネリック」(後発医薬品)ー"
