"""CRM analytics computed from SQL: RFM and segments, LTV, CTB, F2, basket analysis.

Definitions and defaults are documented in docs/analytics.md.
"""

from knowledge.analytics.basket import basket_pairs
from knowledge.analytics.ctb import ctb, ctb_all
from knowledge.analytics.f2 import f2_all, f2_cohorts, f2_status
from knowledge.analytics.segments import CustomerScore, score_customers, segment_summary

__all__ = [
    "CustomerScore",
    "basket_pairs",
    "ctb",
    "ctb_all",
    "f2_all",
    "f2_cohorts",
    "f2_status",
    "score_customers",
    "segment_summary",
]
