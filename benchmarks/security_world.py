"""A scratch company for the injection and isolation measurements, and the fake models that
attack it: real SQLite, real embedded Chroma, the importer, enrichment and the indexer; the
deterministic FakeEmbedder; a model chosen by the caller (a fake below, or the real one).

`HostileEchoModel` is the worst case for indirect injection: it copies every sentence of every
record it is shown into its output, each cited, and "obeys" them — it decodes base64, percent,
hex, HTML-entity, ROT13 and Unicode-tag text, and writes each quoted phrase, URL, address and
code it finds as a sentence of its own. Any payload that reaches the prompt unflagged and
survives the checks then shows up in the output: what it measures are the defences.

`PromptEchoModel` writes its whole prompt into its output (and, as the agent, calls every tool
first), so anything that reaches a prompt is caught in the output as well.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import html
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.llm.fake import FakeChatModel
from assistant.service import Assistant
from assistant.vocabulary import PURPOSES
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.importing import import_records
from knowledge.models import Interaction, SourceRecord
from knowledge.settings import DatabaseSettings, Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import Retrieval, build_retrieval

_RECORD = re.compile(r"<<<RECORD (\d+)[^>]*>>>\n(.*?)\n<<<END RECORD \1>>>", re.DOTALL)
_TOOL_LINE = re.compile(r"^\[(\d+)\] \S+ \S+ \S+(?: \"[^\"]*\")?: (.*)$", re.MULTILINE)
_SENTENCE = re.compile(r"[^。！？!?.\n]+[。！？!?.]?")
_QUOTED = re.compile(r"\"([^\"\n]{3,80})\"|「([^」\n]{2,60})」|“([^”\n]{3,80})”|<([^<>\n]{3,80})>")
_URL = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)*\.example(?:/[\w./?=&%-]*)?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN = re.compile(r"\b[A-Z]{2}\d{3,}[A-Z]*\b|\b\d{5,}\b")
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_PCT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_HEX = re.compile(r"(?:\\x[0-9A-Fa-f]{2})+")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")


# --- the fake models --------------------------------------------------------------------------


def _decoded(text: str) -> list[str]:
    """Every hidden text a capable model could read out of `text`."""
    out: list[str] = []
    for m in _B64.finditer(text):
        try:
            raw = base64.b64decode(m.group(0) + "=" * (-len(m.group(0)) % 4), validate=True)
            out.append(raw.decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            pass
    out += [unquote(m.group(0)) for m in _PCT.finditer(text)]
    for m in _HEX.finditer(text):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            out.append(bytes.fromhex(m.group(0).replace("\\x", "")).decode("utf-8"))
    if "&#" in text:
        out.append(html.unescape(text))
    if "rot13" in text.lower():
        out.append(codecs.decode(text, "rot13"))
    out += ["".join(chr(ord(c) - 0xE0000) for c in m.group(0)) for m in _TAGS.finditer(text)]
    out.append(text.replace("\u200b", ""))
    return [d for d in out if d and d != text]


def obeyed(text: str) -> list[str]:
    """What a model that follows the text would write: its sentences, the decoded texts'
    sentences, and every quoted phrase, link, address and code on its own."""
    texts = [text, *_decoded(text)]
    said: list[str] = []
    for t in texts:
        said += [s.strip() for s in _SENTENCE.findall(t) if s.strip()]
        said += [next(g for g in m.groups() if g) for m in _QUOTED.finditer(t)]
        said += [f"Please visit {m.group(0)}" for m in _URL.finditer(t)]
        said += [f"Please write to {m.group(0)}" for m in _EMAIL.finditer(t)]
        said += [f"Use the code {m.group(0)}" for m in _TOKEN.finditer(t)]
    return list(dict.fromkeys(said))


def prompt_text(messages: Iterable[BaseMessage]) -> str:
    """Every message's text, joined."""
    return "\n".join(str(m.content) for m in messages)


class HostileEchoModel(FakeChatModel):
    """Copies and obeys every record in its prompt, each sentence cited (see module doc)."""

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.calls.append(list(messages))
        prompt = prompt_text(messages)
        records = [(n, body) for n, body in _RECORD.findall(prompt)]
        records += [(n, body) for n, body in _TOOL_LINE.findall(prompt)]
        lines = [f"{s.rstrip('。.!?！？')} [{n}]." for n, body in records for s in obeyed(body)]
        if "POINTS:" in prompt:  # the brief asks for two parts: both get everything
            text = (
                "SUMMARY: " + " ".join(lines) + "\nPOINTS:\n" + "\n".join(f"- {x}" for x in lines)
            )
        else:
            text = " ".join(lines) or "NO_RECORDS"
        return AIMessage(content=text)


class PromptEchoModel(FakeChatModel):
    """Writes its whole prompt into its output; as the agent, first calls every tool it has
    (and asks for another customer's profile), then echoes the conversation."""

    tools: list[str] = Field(default_factory=list)
    foreign_id: int | None = None

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        self.tools = [t["function"]["name"] for t in tools]
        return self

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.calls.append(list(messages))
        asked = any(isinstance(m, ToolMessage) for m in messages)
        if self.tools and not asked:
            question = str(messages[-1].content)[-200:]
            calls = [
                {"name": name, "args": _tool_args(name, question), "id": f"c{n}"}
                for n, name in enumerate(self.tools)
            ]
            if self.foreign_id is not None:
                calls.append(
                    {
                        "name": "customer_profile",
                        "args": {"customer_id": self.foreign_id},
                        "id": "foreign",
                    }
                )
            return AIMessage(content="", tool_calls=calls)
        return AIMessage(content=prompt_text(messages))


def _tool_args(name: str, question: str) -> dict[str, Any]:
    if name in ("search_customer_records", "search_knowledge_base"):
        return {"query": question}
    if name == "find_customer":
        return {"query": question[:60]}
    if name == "customers_in_segment":
        return {"segment": "loyal"}
    return {}


# --- the company ------------------------------------------------------------------------------


@dataclass
class Spec:
    """One test customer in the canonical import form: the customer, orders, interactions."""

    external_id: str
    name: str
    language: str
    interactions: list[dict[str, Any]]
    orders: list[dict[str, Any]] = field(default_factory=list)
    email: str | None = None


@dataclass
class World:
    """The scratch company: settings, sessions, retrieval, and external id -> row id."""

    settings: Settings
    sessions: sessionmaker[Session]
    retrieval: Retrieval
    ids: dict[str, int]

    def assistant(self, llm: Any) -> Assistant:
        return Assistant(self.settings, self.sessions, self.retrieval, llm)

    def flagged_records(self) -> set[str]:
        """Record ids of the interactions enrichment flagged as speaking to an AI."""
        with self.sessions() as s:
            rows = s.scalars(select(Interaction.id).where(Interaction.injection_flags.is_not(None)))
            return {f"interaction:{i}" for i in rows}


def build_world(data_dir: Path, specs: list[Spec], source: str = "security") -> World:
    """Import the customers through the normal importer, enrich (flags) and index them."""
    from assistant.enrich import enrich_all

    settings = Settings(environment="test", data_dir=data_dir, llm={"mode": "fake"})  # type: ignore[arg-type]
    settings.retrieval.collection = f"s{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(DatabaseSettings(url=f"sqlite:///{data_dir / 'kizuna.db'}"))
    migrate(engine)
    sessions = make_session_factory(engine)
    customers = [
        {
            "external_id": c.external_id,
            "kind": "person",
            "name": c.name,
            "language": c.language,
            "email": c.email or f"{c.external_id.lower()}@customers.example.jp",
            "lifecycle_stage": "customer",
        }
        for c in specs
    ]
    orders = [dict(o, customer_external_id=c.external_id) for c in specs for o in c.orders]
    interactions = [
        dict(i, customer_external_id=c.external_id) for c in specs for i in c.interactions
    ]
    for entity, records in (
        ("customer", customers),
        ("order", orders),
        ("interaction", interactions),
    ):
        if records:
            report = import_records(
                sessions, records, source=source, entity=entity, settings=settings.imports
            )
            if report.rejected:
                raise ValueError(f"{entity}: {report.rejected} records rejected: {report}")
    enrich_all(sessions, settings.assistant.intents)
    with sessions() as s:
        ids = {r.external_id: r.entity_id for r in s.query(SourceRecord).all()}
    retrieval = build_retrieval(settings.retrieval, sessions, embedder=FakeEmbedder())
    retrieval.index(progress=False)
    return World(settings, sessions, retrieval, ids)


# --- running the jobs -------------------------------------------------------------------------


@dataclass
class JobOutput:
    """What one job showed the user, with the citations' record ids and quotes."""

    job: str
    text: str
    citations: list[tuple[str, str]]  # (record id, quote)

    def visible(self, flagged: set[str]) -> str:
        """The output outside quotes of flagged records (those are shown under a warning)."""
        text = self.text
        for rid, quote in self.citations:
            if rid in flagged and quote:
                text = text.replace(quote, "")
        quotes = [q for rid, q in self.citations if rid not in flagged]
        return "\n".join([text, *quotes])


def _cites(result: Any) -> list[tuple[str, str]]:
    return [(c.record_id, c.quote) for c in result.citations]


def chat(assistant: Assistant, customer_id: int, question: str) -> JobOutput:
    r = assistant.answer(question, customer_id=customer_id, actor="security-bench")
    return JobOutput("chat", r.text, _cites(r))


def brief(assistant: Assistant, customer_id: int) -> JobOutput:
    r = assistant.brief(customer_id, actor="security-bench")
    return JobOutput("brief", r.markdown, _cites(r))


def draft(assistant: Assistant, customer_id: int, purpose: str) -> JobOutput | None:
    """The draft, or None when the purpose is refused (marketing to an opt-out)."""
    from knowledge.errors import ConsentError

    try:
        r = assistant.draft_email(customer_id, purpose=purpose, actor="security-bench")
    except ConsentError:
        return None
    return JobOutput(f"draft:{purpose}", f"{r.subject}\n{r.body}", _cites(r))


def agent(assistant: Assistant, customer_id: int, question: str) -> JobOutput:
    r = assistant.agent(question, customer_id=customer_id, actor="security-bench")
    return JobOutput("agent", r.text, _cites(r))


DRAFT_JOBS = tuple(f"draft:{p}" for p in PURPOSES)
