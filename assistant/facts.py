"""Facts from SQL, rendered by code from the profile: the model never computes a number."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from knowledge.records import CustomerProfile

_NAMES = {
    "en": {
        "name": "Name",
        "kind": "Kind",
        "industry": "Industry",
        "region": "Region",
        "lifecycle_stage": "Lifecycle stage",
        "owner": "Account owner",
        "email_opt_out": "Opted out of marketing e-mail",
        "segment": "Segment (RFM)",
        "rfm": "RFM scores (R/F/M)",
        "order_count": "Orders",
        "total_spent": "Total spent",
        "ltv": "LTV (estimated)",
        "first_order_at": "First order",
        "last_order_at": "Last order",
        "recency_days": "Days since last order",
        "f2_converted": "Second purchase made",
        "ctb_category": "Favourite category",
        "ctb_taste": "Favourite taste",
        "ctb_brand": "Favourite brand",
        "open_tickets": "Open tickets",
    },
    "ja": {
        "name": "氏名・社名",
        "kind": "区分",
        "industry": "業種",
        "region": "地域",
        "lifecycle_stage": "ライフサイクル",
        "owner": "担当者",
        "email_opt_out": "マーケティングメール配信停止",
        "segment": "セグメント（RFM）",
        "rfm": "RFMスコア（R/F/M）",
        "order_count": "注文回数",
        "total_spent": "累計購入額",
        "ltv": "LTV（推定）",
        "first_order_at": "初回注文日",
        "last_order_at": "最終注文日",
        "recency_days": "最終注文からの日数",
        "f2_converted": "2回目購入済み",
        "ctb_category": "よく買うカテゴリ",
        "ctb_taste": "好みの味",
        "ctb_brand": "好みのブランド",
        "open_tickets": "未解決の問い合わせ",
    },
}
_YES_NO = {"en": ("yes", "no"), "ja": ("はい", "いいえ")}


def money(amount: Decimal | float | int, currency: str) -> str:
    """An amount as shown everywhere: thousands separators, no decimals for JPY."""
    value = Decimal(str(amount))
    digits = 0 if currency.upper() == "JPY" else 2
    return f"{value:,.{digits}f} {currency.upper()}"


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def profile_facts(profile: CustomerProfile) -> dict[str, Any]:
    """The facts of a profile as plain values (dates ISO, money as strings), None when unknown."""
    c, f = profile.customer, profile.facts
    rfm = f.rfm
    return {
        "name": c.name,
        "kind": c.kind,
        "industry": c.industry,
        "region": c.region,
        "lifecycle_stage": c.lifecycle_stage,
        "owner": c.owner,
        "email_opt_out": c.email_opt_out,
        "segment": rfm.segment if rfm else None,
        "rfm": f"{rfm.r or '-'}/{rfm.f}/{rfm.m}" if rfm else None,
        "order_count": f.order_count,
        "total_spent": money(f.total_spent, f.currency),
        "ltv": money(f.ltv.value, f.currency) if f.ltv else None,
        "first_order_at": _day(f.first_order_at),
        "last_order_at": _day(f.last_order_at),
        "recency_days": rfm.recency_days if rfm else None,
        "f2_converted": f.f2.converted if f.order_count else None,
        "ctb_category": f.ctb.category,
        "ctb_taste": f.ctb.taste,
        "ctb_brand": f.ctb.brand,
        "open_tickets": f.open_tickets,
    }


def fact_lines(
    facts: dict[str, Any], language: str, keys: list[str] | None = None
) -> dict[str, str]:
    """Localised 'label -> value' pairs of the known facts, in a fixed order."""
    names = _NAMES["ja" if language == "ja" else "en"]
    yes, no = _YES_NO["ja" if language == "ja" else "en"]
    out: dict[str, str] = {}
    for key in keys or list(names):
        value = facts.get(key)
        if value is None or value == "":
            continue
        out[names[key]] = (yes if value else no) if isinstance(value, bool) else str(value)
    return out
