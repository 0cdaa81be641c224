"""Planted duplicates: one person in the EC system and again at the store POS, written differently.

The variants are what 名寄せ must see through: 全角/半角 e-mail, phone written 090-1234-5678 vs
+81 90 1234 5678, katakana / hiragana / romaji / 半角カナ names, case and spacing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jaconv

from demo.people import Cust
from demo.plan import DuplicateSpec, Plan


def _e164_spaced(phone: str) -> str:
    a, b, c = phone.split("-")
    return f"+81 {a[1:]} {b} {c}"


def _zenkaku(s: str) -> str:
    return jaconv.h2z(s, kana=True, ascii=True, digit=True)


def _romaji(c: Cust) -> str:
    return c.romaji


Variant = Callable[[dict[str, Any], Cust], list[str]]


def zenkaku_email(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["email"] = _zenkaku(rec["email"])
    rec["phone"] = None
    return ["email", "name"]


def phone_format(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["phone"] = _e164_spaced(rec["phone"])
    rec["email"] = None
    return ["phone", "name"]


def zenkaku_phone(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["phone"] = _zenkaku(rec["phone"]).replace("−", "ー")
    rec["email"] = None
    return ["phone", "name"]


def katakana_name(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["name"] = rec["name_kana"]
    rec["email"] = None
    return ["phone", "name"]


def hiragana_name(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["name"] = jaconv.kata2hira(rec["name_kana"])
    rec["name_kana"] = None
    rec["phone"] = None
    return ["email", "name", "address"]


def hankaku_kana(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["name_kana"] = jaconv.z2h(rec["name_kana"], kana=True, ascii=False, digit=False)
    rec["name"] = rec["name"].replace(" ", "\u3000")
    rec["email"] = None
    return ["phone", "name"]


def romaji_name(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["name"] = _romaji(c)
    rec["name_kana"] = None
    rec["phone"] = None
    return ["email", "name"]


def romaji_upper(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["name"] = _romaji(c).upper()
    rec["name_kana"] = None
    rec["phone"] = _e164_spaced(rec["phone"])
    rec["email"] = None
    return ["phone", "name"]


def email_case(rec: dict[str, Any], c: Cust) -> list[str]:
    local, domain = rec["email"].split("@")
    rec["email"] = f"{local.title()}@{domain.upper()}"
    rec["name"] = rec["name"].replace(" ", "")
    rec["phone"] = None
    return ["email", "name"]


def address_only(rec: dict[str, Any], c: Cust) -> list[str]:
    rec["email"] = None
    rec["phone"] = None
    rec["address"] = _zenkaku(rec["address"])
    return ["name", "address"]


VARIANTS: dict[str, Variant] = {
    "zenkaku-email": zenkaku_email,
    "phone-format": phone_format,
    "zenkaku-phone": zenkaku_phone,
    "katakana-name": katakana_name,
    "hiragana-name": hiragana_name,
    "hankaku-kana": hankaku_kana,
    "romaji-name": romaji_name,
    "romaji-upper": romaji_upper,
    "email-case": email_case,
    "zenkaku-address": address_only,
}


def plant_duplicates(plan: Plan) -> None:
    """Create one EC customer and its POS twin per variant, and record the pairs."""
    pop = plan.population
    for variant, change in VARIANTS.items():
        base = pop.person("demo-ec", pop.r.choice(["loyal", "occasional"]))
        twin = pop.person("demo-pos", "occasional")
        ext = twin.record["external_id"]
        pop.uniq.names.discard(twin.record["name_kana"].replace(" ", ""))
        rec = copy.deepcopy(base.record)
        rec["external_id"] = ext
        rec["owner"] = "店舗CRM"
        matching = change(rec, base)
        twin.record = rec
        twin.family = base.family
        twin.favourites = base.favourites
        plan.duplicates.append(DuplicateSpec((base.ref, twin.ref), variant, matching))
