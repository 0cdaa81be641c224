"""The agent's read-only tools: typed arguments, short outputs, every record line with its id.

Each record a tool returns is registered in `Gathered` under a run-wide number [n]; the final
answer cites those numbers and is grounded against exactly these records. Customer-scoped tools
search one customer only (Scope.customer in code); when the run is pinned to a customer, their
schemas have no customer_id and any other id the model sends is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant.context import ContextRecord, neutralise
from assistant.deps import AssistantDeps
from assistant.facts import fact_lines, money, profile_facts
from assistant.prompting import load_template, render_text
from assistant.types import ToolStep
from knowledge.errors import KnowledgeError
from knowledge.vocabulary import InteractionKind as RecordKind
from knowledge.vocabulary import ScoredSegment as SegmentName
from retrieval.types import Scope, SearchFilters, SearchHit


class ToolError(Exception):
    """A tool call the model got wrong: the message goes back to the model as the tool result."""


@dataclass
class Gathered:
    """Records returned by tools during one run, numbered [1], [2]... in the order first seen."""

    records: list[ContextRecord] = field(default_factory=list)
    _by_id: dict[str, ContextRecord] = field(default_factory=dict)

    def add(
        self,
        record_id: str,
        *,
        kind: str,
        customer_id: int | None,
        date: datetime | None,
        title: str | None,
        text: str,
        span: str | None = None,
    ) -> ContextRecord:
        """The record under its run-wide number (the same number when seen again)."""
        known = self._by_id.get(record_id)
        if known is not None:
            return known
        record = ContextRecord(
            n=len(self.records) + 1,
            record_id=record_id,
            kind=kind,
            customer_id=customer_id,
            date=date,
            title=title,
            text=text,
            span=span or text,
        )
        self.records.append(record)
        self._by_id[record_id] = record
        return record


def record_line(r: ContextRecord) -> str:
    """How a record appears in a tool result: [n] id kind date "title": text."""
    date = r.date.date().isoformat() if r.date else "-"
    title = f' "{neutralise(r.title)[:60]}"' if r.title else ""
    return f"[{r.n}] {r.record_id} {r.kind} {date}{title}: {r.text}"


# --- argument models (what the model must send) -------------------------------------------


class FindCustomerArgs(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="name, kana, e-mail or phone")


class ProfileArgs(BaseModel):
    customer_id: int | None = Field(default=None, description="customer id")


class SearchRecordsArgs(BaseModel):
    query: str = Field(min_length=1, max_length=200, description="what to look for")
    customer_id: int | None = Field(default=None, description="customer id")
    kind: RecordKind | None = Field(default=None, description="only records of this kind")


class SearchKnowledgeArgs(BaseModel):
    query: str = Field(min_length=1, max_length=200, description="what to look for")


class OrdersArgs(BaseModel):
    customer_id: int | None = Field(default=None, description="customer id")
    limit: int = Field(default=5, ge=1, le=10, description="newest orders to list")


class SegmentSummaryArgs(BaseModel):
    pass


class SegmentCustomersArgs(BaseModel):
    segment: SegmentName = Field(description="RFM segment")
    limit: int = Field(default=5, ge=1, le=10, description="customers to list")


@dataclass(frozen=True)
class Tool:
    name: str
    args: type[BaseModel]
    run: Callable[[Any], str]
    customer_scoped: bool = False


class AgentTools:
    """The tools of one agent run; `call` never raises for the model's mistakes."""

    def __init__(
        self,
        deps: AssistantDeps,
        language: str,
        *,
        pinned_customer: int | None,
        gathered: Gathered | None = None,
    ) -> None:
        self.deps = deps
        self.language = language
        self.pinned = pinned_customer
        self.gathered = gathered or Gathered()
        self.record_chars = deps.config.agent_record_chars
        self.phrases: dict[str, str] = _phrases(language)
        tools = [
            Tool("customer_profile", ProfileArgs, self._profile, customer_scoped=True),
            Tool("search_customer_records", SearchRecordsArgs, self._search, customer_scoped=True),
            Tool("list_orders", OrdersArgs, self._orders, customer_scoped=True),
            Tool("search_knowledge_base", SearchKnowledgeArgs, self._knowledge),
            Tool("segment_summary", SegmentSummaryArgs, self._segments),
        ]
        if pinned_customer is None:
            # Resolving names and listing other customers makes no sense in a pinned run.
            tools += [
                Tool("find_customer", FindCustomerArgs, self._find),
                Tool("customers_in_segment", SegmentCustomersArgs, self._segment_customers),
            ]
        self.tools = {t.name: t for t in tools}

    # --- what the model is shown -----------------------------------------------------------

    def specs(self) -> list[dict[str, Any]]:
        """OpenAI-style function specs; customer_id is absent from them in a pinned run."""
        return [self._spec(t) for t in self.tools.values()]

    def _spec(self, tool: Tool) -> dict[str, Any]:
        schema = tool.args.model_json_schema()
        props: dict[str, Any] = {}
        for name, prop in schema.get("properties", {}).items():
            if name == "customer_id" and self.pinned is not None:
                continue
            props[name] = _compact(prop)
        required = list(schema.get("required", []))
        if tool.customer_scoped and self.pinned is None:
            required.append("customer_id")
        return {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": self.phrases[f"tool_{tool.name}"],
                "parameters": {"type": "object", "properties": props, "required": required},
            },
        }

    # --- calling ---------------------------------------------------------------------------

    def call(
        self, name: str, args: dict[str, Any], call_format: str = "native"
    ) -> tuple[str, ToolStep]:
        """Run one call; a bad name, bad arguments or an out-of-scope id become an error text."""
        started = time.perf_counter()
        before = len(self.gathered.records)
        step = ToolStep(tool=name, args=dict(args), call_format=call_format)  # type: ignore[arg-type]
        try:
            tool = self.tools.get(name)
            if tool is None:
                raise ToolError(
                    self._say("err_unknown_tool", name=name, tools=", ".join(self.tools))
                )
            try:
                parsed = tool.args.model_validate(args)
            except ValidationError as e:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc']) or 'args'}: {err['msg']}"
                    for err in e.errors()
                )
                raise ToolError(self._say("err_bad_args", problems=problems)) from e
            text = tool.run(parsed)
        except ToolError as e:
            text = f"ERROR: {e}"
            step.ok, step.error = False, str(e)
        except KnowledgeError as e:  # e.g. an id that does not exist: the model may try again
            text = f"ERROR: {e}"
            step.ok, step.error = False, f"{e.code}: {e}"
        step.seconds = round(time.perf_counter() - started, 3)
        step.records = [r.record_id for r in self.gathered.records[before:]]
        return text, step

    def _customer(self, requested: int | None) -> int:
        """The customer a scoped call may see: the pinned one, or the one asked for."""
        if self.pinned is not None:
            if requested is not None and requested != self.pinned:
                raise ToolError(self._say("err_pinned", customer_id=self.pinned))
            return self.pinned
        if requested is None:
            raise ToolError(self._say("err_need_customer"))
        with self.deps.sessions() as s:  # CustomerNotFound for a hidden one, as for none
            return self.deps.visibility.require(s, requested)

    def _say(self, key: str, **variables: object) -> str:
        return render_text(self.phrases[key], variables, f"{self.language}/agent_tools.yaml:{key}")

    def _excerpt(self, text: str) -> str:
        return neutralise(text)[: self.record_chars]

    # --- the tools -------------------------------------------------------------------------

    def _find(self, a: FindCustomerArgs) -> str:
        from knowledge.repository import find_customers

        with self.deps.sessions() as s:
            found = find_customers(s, a.name, limit=5, visibility=self.deps.visibility)
        if not found:
            return self.phrases["no_customers"]
        return "\n".join(
            f"customer_id={c.id} {c.name} ({c.kind}, {c.lifecycle_stage}"
            f"{', ' + c.region if c.region else ''})"
            for c in found
        )

    def _profile(self, a: ProfileArgs) -> str:
        cid = self._customer(a.customer_id)
        profile = self.deps.profile(cid)
        lines = fact_lines(profile_facts(profile), self.language)
        text = "; ".join(f"{k}: {v}" for k, v in lines.items())
        r = self.gathered.add(
            f"profile:{profile.customer.id}",
            kind="profile",
            customer_id=profile.customer.id,
            date=None,
            title=None,
            text=text,
        )
        return record_line(r)

    def _search(self, a: SearchRecordsArgs) -> str:
        cid = self._customer(a.customer_id)
        filters = SearchFilters(kinds=(a.kind,)) if a.kind else None
        scope, k = Scope.customer(cid), self.deps.config.agent_search_k
        hits = self.deps.retrieval.search(a.query, scope, k=k, filters=filters)
        lines = []
        if filters and not hits:
            # Small models add a kind that guesses wrong (inquiry for a ticket): say so, and
            # search every kind rather than return nothing.
            lines.append(self._say("no_kind", kind=a.kind))
            hits = self.deps.retrieval.search(a.query, scope, k=k)
        # The scope is enforced by retrieval; a hit of anyone else is still never shown.
        for h in hits:
            if h.customer_id != cid:
                continue
            lines.append(self._gather(h, cid))
        if not any(line.startswith("[") for line in lines):
            return self.phrases["no_records"]
        return "\n".join(dict.fromkeys(lines))

    def _gather(self, h: SearchHit, customer_id: int | None) -> str:
        """Number a search hit for this run and render its line for the model."""
        r = self.gathered.add(
            h.record_id,
            kind=h.kind,
            customer_id=customer_id,
            date=h.occurred_at,
            title=h.title,
            text=self._excerpt(h.text),
            span=self._excerpt(h.span or h.text),
        )
        return record_line(r)

    def _knowledge(self, a: SearchKnowledgeArgs) -> str:
        hits = self.deps.retrieval.search(
            a.query, Scope.knowledge_base(), k=self.deps.config.agent_search_k
        )
        lines = []
        for h in hits:
            if h.customer_id is not None:
                continue
            lines.append(self._gather(h, None))
        return "\n".join(dict.fromkeys(lines)) or self.phrases["no_records"]

    def _orders(self, a: OrdersArgs) -> str:
        from knowledge.repository import list_orders

        cid = self._customer(a.customer_id)
        with self.deps.sessions() as s:
            orders = list_orders(s, cid, limit=a.limit)
        lines = []
        for o in orders:
            items = ", ".join(f"{line.product_name} x{line.quantity}" for line in o.lines[:4])
            number = f" {o.order_number}" if o.order_number else ""
            text = (
                f"order{number} ({o.channel or '-'}, {o.status or '-'}): "
                f"{money(o.total_amount, o.currency)}; {items}"
            )
            r = self.gathered.add(
                o.record_id, kind="order", customer_id=cid, date=o.ordered_at, title=None, text=text
            )
            lines.append(record_line(r))
        return "\n".join(lines) or self.phrases["no_orders"]

    def _segments(self, a: SegmentSummaryArgs) -> str:
        from knowledge.analytics import segment_summary

        with self.deps.sessions() as s:
            rows = segment_summary(s, self.deps.analytics, only=self.deps.visibility.visible_ids(s))
        lines = []
        for row in rows:
            text = (
                f"segment {row.segment}: {row.customers} customers ({row.share:.1%}), "
                f"revenue {money(row.revenue, 'JPY')}, average LTV {money(row.average_ltv, 'JPY')}"
            )
            r = self.gathered.add(
                f"segment:{row.segment}",
                kind="segment",
                customer_id=None,
                date=None,
                title=None,
                text=text,
            )
            lines.append(record_line(r))
        return "\n".join(lines)

    def _segment_customers(self, a: SegmentCustomersArgs) -> str:
        from knowledge.analytics.segments import score_customers
        from knowledge.repository import get_customer

        with self.deps.sessions() as s:
            _, scores = score_customers(s, self.deps.analytics)
            visible = self.deps.visibility.visible_ids(s)
            chosen = sorted(
                (
                    x
                    for x in scores
                    if x.rfm.segment == a.segment and (visible is None or x.customer_id in visible)
                ),
                key=lambda x: (-x.rfm.monetary, x.customer_id),
            )[: a.limit]
            names = {x.customer_id: get_customer(s, x.customer_id).name for x in chosen}
        lines = []
        for x in chosen:
            days = f", {x.rfm.recency_days} days since last order" if x.rfm.recency_days else ""
            text = (
                f"{names[x.customer_id]} (customer_id={x.customer_id}): segment {a.segment}, "
                f"{x.rfm.frequency} orders, total {money(x.rfm.monetary, 'JPY')}{days}"
            )
            r = self.gathered.add(
                f"customer:{x.customer_id}",
                kind="customer",
                customer_id=x.customer_id,
                date=None,
                title=None,
                text=text,
            )
            lines.append(record_line(r))
        return "\n".join(lines) or self.phrases["no_customers"]


def _compact(prop: dict[str, Any]) -> dict[str, Any]:
    """A property schema without pydantic's titles and null unions (shorter prompt)."""
    out = {k: v for k, v in prop.items() if k not in ("title", "default")}
    any_of = out.pop("anyOf", None)
    if any_of:
        typed = [x for x in any_of if x.get("type") != "null"]
        if typed:
            out.update({k: v for k, v in typed[0].items() if k != "title"})
    return out


def _phrases(language: str) -> dict[str, str]:
    import yaml

    data = yaml.safe_load(load_template("agent_tools.yaml", language))
    if not isinstance(data, dict):
        from assistant.errors import PromptError

        raise PromptError(f"prompts/{language}/agent_tools.yaml must map names to phrases")
    return {str(k): str(v) for k, v in data.items()}
