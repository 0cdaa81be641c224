"""Export and erasure of one person's data (APPI / GDPR), from one registry of places."""

from knowledge.erasure.registry import PLACES, Place, by_customer, by_parent
from knowledge.erasure.service import (
    ErasureReport,
    IndexPlace,
    compact,
    erase_customer,
    export_customer,
)
from knowledge.erasure.subject import Subject, find_subject

__all__ = [
    "PLACES",
    "ErasureReport",
    "IndexPlace",
    "Place",
    "Subject",
    "by_customer",
    "by_parent",
    "compact",
    "erase_customer",
    "export_customer",
    "find_subject",
]
