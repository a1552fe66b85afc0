"""Who issues a plan (extract/structure/issuer.py): an insurer, a municipality, a prefecture or a
ministry, from the cover, the colophon and the title."""

from __future__ import annotations

import pytest

from extract.structure.issuer import (
    colophon_issuer,
    cover_issuer,
    cover_lines,
    issuer_type,
    municipality_at,
    title_municipality,
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("青葉市国民健康保険", "青葉市"),
        ("青葉市市民生活部", "青葉市"),  # the city's department, not a 青葉市市
        ("青葉市本町一丁目1番1号", "青葉市"),  # a 町 of the city, not a 青葉市本町
        ("北海道中川郡音威子府村住民課", "音威子府村"),
        ("四日市市", "四日市市"),
        ("大町市国民健康保険", "大町市"),
        ("さいたま市健康増進計画", "さいたま市"),
        ("市町村国保", None),
        ("都市計画マスタープラン", None),
        ("本市の人口", None),
        ("データヘルス計画", None),
    ],
)
def test_a_municipality_at_the_start(text: str, name: str | None) -> None:
    found = municipality_at(text)
    assert (found[0] if found else None) == name


def test_the_cover_ends_where_the_body_starts() -> None:
    page = ["青葉市国民健康保険", "第3期データヘルス計画", "令和6年3月", "青葉市", "目次", "第1章 計画 1"]
    assert cover_lines(page) == page[:4]
    page = ["令和5年度", "東雲市国民健康保険事業年報", "東雲市 市民部", "本年報は、令和5年度の…である。"]
    assert cover_lines(page) == page[:3]


@pytest.mark.parametrize(
    ("cover", "issuer"),  # the cover's lines, | between them
    [
        ("第3期データヘルス計画|(令和6年度 - 令和11年度)|地方職員共済組合 大分県支部", "地方職員共済組合"),
        ("青葉市国民健康保険|第3期データヘルス計画|令和6年3月|青葉市", "青葉市"),
        ("令和5年度|東雲市国民健康保険事業年報|令和6年9月|東雲市 市民部 国民健康保険課", "東雲市"),
        ("第3次 健康わかば21|若葉市健康増進計画・母子保健計画|令和6年3月|若葉市", "若葉市"),
        ("令和6年度 予算の概要|厚生労働省 保険局", "厚生労働省"),
        ("音威子府村地域防災計画|(地震災害対策編)|令和2年3月|音威子府村防災会議", None),  # a council
        ("令和 3年度 事業計画(北海道支部)|分野 具体的施策等", None),
    ],
)
def test_the_issuer_line_of_a_cover(cover: str, issuer: str | None) -> None:
    assert cover_issuer(cover.split("|")) == issuer


@pytest.mark.parametrize(
    ("lines", "issuer"),
    [
        ("第3期データヘルス計画|発行:青葉市 市民生活部 保険年金課|所在地:青葉市本町一丁目1番1号", "青葉市"),
        ("■注意事項 データを消去してください。|(発行:音威子府村住民課住民生活室生活環境係)", "音威子府村"),
        ("車中泊をする場合は、|周囲の状況を確認して下さい。|内閣府(防災担当)・消防庁", "内閣府"),
        ("編集・発行：さくら県市町村職員共済組合 保健事業課", "さくら県市町村職員共済組合"),
        ("令和6年4月厚生労働省健康局発行「標準的な健診・保健指導プログラム」", None),  # cited, not issued
        ("青葉市医師会|青葉市歯科医師会", None),  # partners
    ],
)
def test_the_issuer_of_a_colophon(lines: str, issuer: str | None) -> None:
    """The document's last lines, ``|`` between lines."""
    assert colophon_issuer(lines.split("|")) == issuer


def test_a_title_opening_with_a_municipality() -> None:
    assert title_municipality(["第3次 健康わかば21(若葉市健康増進計画・母子保健計画)"]) == "若葉市"
    assert title_municipality(["音威子府村地域防災計画"]) == "音威子府村"
    assert title_municipality(["市町村国保の保険者努力支援制度", "令和6年度"]) is None


def test_a_municipalitys_insurer_type_is_what_its_cover_names() -> None:
    assert issuer_type("東雲市", "令和5年度\n東雲市国民健康保険事業年報") == "市町村国保"
    assert issuer_type("青葉市", "青葉市 国保 第3期データヘルス計画") == "市町村国保"
    assert issuer_type("若葉市", "第3次 健康わかば21\n若葉市健康増進計画・母子保健計画\n若葉市") == "other"
    assert issuer_type("厚生労働省", "厚生労働省 保険局") == "other"
    assert issuer_type("地方職員共済組合", "") == "共済組合"
