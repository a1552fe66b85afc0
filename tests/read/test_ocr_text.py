"""Repairs of OCR'd text (extract/ocr_text.py): marks and numbers Tesseract misreads."""

from __future__ import annotations

import pytest

from extract.read.ocr_text import repair_line, repair_number_text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("特定健診実施率を l0%以上とする", "特定健診実施率を 10%以上とする"),
        ("喫煙率を O.5ポイント減少", "喫煙率を 0.5ポイント減少"),
        ("lO%以上", "10%以上"),
        ("2O21年度まで", "2021年度まで"),
        ("健康宣言事業所数を 2.400事業所以上とする", "健康宣言事業所数を 2,400事業所以上とする"),
        ("791.721", "791,721"),  # a table cell: a number alone
        ("総医療費 1.234.567千円", "総医療費 1,234,567千円"),
        ("受診者 12.345人", "受診者 12,345人"),
        ("サービススタンダードの達成状況を 1009%とする", "サービススタンダードの達成状況を 100%とする"),
        ("喫煙率を 38.2896以下とする", "喫煙率を 38.28%以下とする"),
        ("受診率を5596以上とする", "受診率を55%以上とする"),
        ("達成状況を 100%%6とする", "達成状況を 100%とする"),
        ("郵送化率を 95.09%6 以上とする", "郵送化率を 95.0% 以上とする"),
    ],
)
def test_numbers_misread_are_repaired(read: str, meant: str) -> None:
    assert repair_number_text(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "喫煙率を 38.28%以下とする",  # a rate with two decimals
        "実施率を55.09%以上とする",  # maybe 55.0% with its sign misread: no telling, kept
        "1.234倍",  # a ratio: one group of three decimals and no unit of counting
        "12.345 55.2",  # numbers side by side: not alone, no unit
        "COPD の認知度",  # capitals with an O are a word, not a number
        "HbA1c 6.5%以上",
        "7,096人",
        "2018年度から2023年度",
        "STEP1-1 基本情報",
    ],
)
def test_text_that_is_right_is_left_alone(text: str) -> None:
    assert repair_line(text) == text


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("■ KP| : 健康宣言事業所数", "■ KPI : 健康宣言事業所数"),
        ("KPl:受診率", "KPI:受診率"),
        ("〇 行政等との連携の強化", "○ 行政等との連携の強化"),
        ("O 行政等との連携の強化", "○ 行政等との連携の強化"),
        ("特定健康診査受診率(・)", "特定健康診査受診率"),
        ("|男性| 女性", "男性 女性"),
        ("_〇 保険財政に関する周知広報", "○ 保険財政に関する周知広報"),
    ],
)
def test_marks_misread_are_repaired(read: str, meant: str) -> None:
    assert repair_line(read) == meant
