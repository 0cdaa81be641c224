"""Normalisation: NFKC text, canonical e-mail / phone, kana- and romaji-insensitive name keys."""

from __future__ import annotations

import pytest

from knowledge.errors import RowRejected
from knowledge.normalize import (
    address_key,
    canonical_email,
    canonical_phone,
    name_key,
    normalize_postal_code,
    normalize_text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  ＡＢＣ　１２３  ", "ABC 123"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("a \t\n b", "a b"),
        ("   ", None),
        (None, None),
    ],
)
def test_normalize_text(raw: str | None, expected: str | None) -> None:
    assert normalize_text(raw) == expected


def test_canonical_email_folds_width_case_and_spaces() -> None:
    assert canonical_email(" Foo.Bar@Example.COM ") == "foo.bar@example.com"
    assert canonical_email("ｆｏｏ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "foo@example.com"
    assert canonical_email("") is None
    assert canonical_email(None) is None


@pytest.mark.parametrize("bad", ["not-an-email", "a@b", "a@@b.com", "a b@c"])
def test_canonical_email_rejects_malformed(bad: str) -> None:
    with pytest.raises(RowRejected) as info:
        canonical_email(bad)
    assert info.value.field == "email"
    assert "malformed" in info.value.reason


@pytest.mark.parametrize(
    "raw",
    [
        "03-1234-5678",
        "０３－１２３４－５６７８",
        "(03) 1234 5678",
        "+81 3-1234-5678",
        "+81312345678",
    ],
)
def test_canonical_phone_japanese_variants_agree(raw: str) -> None:
    assert canonical_phone(raw) == "+81312345678"


def test_canonical_phone_mobile_and_international() -> None:
    assert canonical_phone("090ー1234ー5678") == "+819012345678"
    assert canonical_phone("(303) 555-0199", default_region="US") == "+13035550199"
    assert canonical_phone("+1 303 555 0199") == "+13035550199"
    assert canonical_phone(" ") is None


@pytest.mark.parametrize("bad", ["abc", "12", "+999 1"])
def test_canonical_phone_rejects_garbage(bad: str) -> None:
    with pytest.raises(RowRejected) as info:
        canonical_phone(bad)
    assert info.value.field == "phone"


@pytest.mark.parametrize(
    ("name", "kana"),
    [
        ("山田 太郎", None),
        ("山田太郎", None),
        ("ヤマダ タロウ", None),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", None),
        ("やまだ たろう", None),
        ("Yamada Taro", None),
        ("ＹＡＭＡＤＡ　ＴＡＲＯ", None),
        ("YAMADA Tarou", None),
        ("山田 太朗", "ヤマダ タロウ"),  # an unusual kanji: the reading decides
    ],
)
def test_name_key_matches_script_and_width_variants(name: str, kana: str | None) -> None:
    assert name_key(name, kana) == name_key("山田 太郎")


def test_name_key_hepburn_kunrei_and_company_forms() -> None:
    assert name_key("Shimizu Junichi") == name_key("Simizu Zyuniti") == name_key("清水 純一")
    assert name_key("株式会社サクラ") == name_key("サクラ株式会社") == name_key("Sakura Co., Ltd.")
    assert name_key("Homma") == name_key("Honma")


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("山田 太郎") != name_key("山田 花子")
    assert name_key("Sato Hanako") != name_key("Kato Hanako")


def test_postal_and_address_keys() -> None:
    assert normalize_postal_code("〒１５０－０００１") == "1500001"
    assert normalize_postal_code("") is None
    assert address_key("東京都渋谷区 神宮前１－２－３") == address_key("東京都渋谷区神宮前1-2-3")
