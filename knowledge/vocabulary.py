"""The value lists knowledge/ owns, each written once.

A `Literal` type per list (pydantic turns it into an OpenAPI enum, mypy checks it) and the
same values as a tuple for code that checks or lists them. The import contract, the records,
the API schemas, the CLI and the panel (through `GET /vocabulary`) all use these.
"""

from __future__ import annotations

from typing import Literal, get_args

Entity = Literal["customer", "contact", "product", "order", "interaction", "article"]
Language = Literal["ja", "en"]
CustomerKind = Literal["person", "company"]
LifecycleStage = Literal["lead", "prospect", "customer", "dormant", "churned"]
OrderChannel = Literal["store", "ec", "sales"]
InteractionKind = Literal[
    "inquiry", "ticket", "review", "meeting_note", "call", "email", "chat", "survey", "store_visit"
]
Phase = Literal["marketing", "sales", "support", "success"]
InteractionStatus = Literal["open", "pending", "resolved", "closed"]
ArticleKind = Literal["faq", "manual", "policy"]
# RFM segments of customers who ordered; a customer with no orders is a "prospect".
ScoredSegment = Literal["champion", "loyal", "new", "at_risk", "dormant", "churned"]
Segment = Literal[ScoredSegment, "prospect"]

ENTITIES: tuple[str, ...] = get_args(Entity)  # also the order files of one run import in
LANGUAGES: tuple[str, ...] = get_args(Language)
CUSTOMER_KINDS: tuple[str, ...] = get_args(CustomerKind)
LIFECYCLE: tuple[str, ...] = get_args(LifecycleStage)
CHANNELS: tuple[str, ...] = get_args(OrderChannel)
INTERACTION_KINDS: tuple[str, ...] = get_args(InteractionKind)
PHASES: tuple[str, ...] = get_args(Phase)
INTERACTION_STATUS: tuple[str, ...] = get_args(InteractionStatus)
OPEN_STATUSES: tuple[str, ...] = ("open", "pending")  # not yet resolved: an open ticket
ARTICLE_KINDS: tuple[str, ...] = get_args(ArticleKind)
SEGMENTS: tuple[str, ...] = get_args(Segment)
