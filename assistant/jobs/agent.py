"""A tool-calling agent for questions that need several lookups: bounded, read-only, grounded.

The loop is explicit (model turn -> tool calls -> tool results -> ...) so that the bounds are
plain code: at most `agent_max_steps` tool calls, `agent_timeout_s` of wall time (checked
between streamed tokens too) and `agent_context_tokens` of conversation. On a bound the model
is asked once, without tools, to answer from what was gathered. The final text goes through the
same grounding as the fixed chain, against the records the tools returned during this run.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)

from assistant.citations import marked_text
from assistant.context import ContextRecord, estimate_tokens
from assistant.deps import AssistantDeps, new_output_id
from assistant.errors import InvalidRequest
from assistant.jobs.agent_tools import AgentTools
from assistant.labels import label
from assistant.language import detect_language
from assistant.llm.messages import json_object, parse_tool_calls
from assistant.pipeline import check, fall_back, prompt, record, relevant_records
from assistant.prompting import render_prompt, render_text
from assistant.types import AgentResult, Citation, GuardReport, Sentence, ToolStep

log = logging.getLogger(__name__)

# A tool call is ~40 tokens and the answer three short sentences; more is rambling.
TURN_TOKENS = 200
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)

Clock = Callable[[], float]


class Call:
    """One tool call read from a model turn."""

    def __init__(self, name: str, args: dict[str, Any], call_id: str, call_format: str) -> None:
        self.name, self.args, self.id, self.format = name, args, call_id, call_format


def read_calls(message: AIMessage, tool_names: set[str]) -> tuple[str, list[Call], bool]:
    """(text, calls, malformed): native tool_calls, else Qwen <tool_call> blocks, else bare JSON.

    Small local models and llama.cpp's server return the call as text, not as tool_calls.
    """
    content = message.content if isinstance(message.content, str) else str(message.content)
    if message.tool_calls:
        calls = [
            Call(c["name"], dict(c["args"]), c.get("id") or _new_id(), "native")
            for c in message.tool_calls
        ]
        return content, calls, False
    if "<tool_call>" in content:
        text, parsed = parse_tool_calls(content)
        calls = [Call(c["name"], c["args"], c["id"], "tagged") for c in parsed]
        return text, calls, not calls
    match = _JSON_OBJECT.search(content)
    if match:
        payload = json_object(match.group(0))
        # A JSON object shaped like a call is a call, even to a tool that does not exist:
        # the tool error tells the model which tools there are.
        if isinstance(payload, dict) and isinstance(payload.get("name"), str):
            args = payload.get("arguments", payload.get("parameters", {}))
            if isinstance(args, dict) and (args or payload["name"] in tool_names):
                return "", [Call(payload["name"], args, _new_id(), "json")], False
    return content, [], False


# A final "answer" that is a call, a JSON dump or a tool list is not an answer: a small model
# writes these when it should answer, and pieces of them can overlap a record's words.
_NOT_PROSE = re.compile(r'^\s*(```|\{|\[\s*\{|<tools>|<tool_call>)|"arguments"\s*:')


def answer_text(text: str) -> str:
    """The text, or '' when it is a tool call or JSON rather than sentences."""
    return "" if _NOT_PROSE.search(text) else text


def _new_id() -> str:
    return f"call_{uuid.uuid4().hex[:12]}"


def conversation_tokens(messages: list[BaseMessage], specs: list[dict[str, Any]]) -> int:
    """Approximate tokens of the conversation and the tool specs the template adds."""
    text = "".join(str(m.content) for m in messages) + json.dumps(specs, ensure_ascii=False)
    return estimate_tokens(text)


def model_turn(
    model: Any, messages: list[BaseMessage], deadline: float, clock: Clock
) -> tuple[AIMessage, bool]:
    """The model's next message, streamed; (message so far, True) when the deadline passed."""
    merged: AIMessageChunk | None = None
    timed_out = False
    # The time left bounds the call itself: a slow first token (a long prompt on busy cores)
    # must not carry the run past its limit before the loop can check the clock.
    left = max(1.0, deadline - clock())
    stream = model.stream(messages, max_tokens=TURN_TOKENS, timeout=left)
    try:
        for chunk in stream:
            merged = chunk if merged is None else merged + chunk
            if clock() >= deadline:
                timed_out = True
                break
    finally:
        stream.close()  # stops a local generation and frees the model's lock
    if merged is None:
        return AIMessage(content=""), timed_out
    return AIMessage(content=merged.content, tool_calls=merged.tool_calls), timed_out


class AgentRun:
    """The state of one run: conversation, trace, and why it stopped."""

    def __init__(
        self, deps: AssistantDeps, tools: AgentTools, deadline: float, clock: Clock
    ) -> None:
        self.deps, self.tools, self.deadline, self.clock = deps, tools, deadline, clock
        self.messages: list[BaseMessage] = []
        self.steps: list[ToolStep] = []
        self.model_calls = 0
        self.turn_seconds: list[float] = []  # wall time of each model turn
        self.stopped = "answered"
        self.final_text = ""
        self.degraded: str | None = None
        self.reminded = False  # the one reminder to call a tool was sent
        self.reminder = ""

    def loop(self, model: Any, specs: list[dict[str, Any]]) -> None:
        """Model turns and tool calls until the model answers or a bound is reached."""
        config = self.deps.config
        names = set(self.tools.tools)
        while True:
            if self.clock() >= self.deadline:
                self.stopped = "timeout"
                return
            if len(self.steps) >= config.agent_max_steps:
                self.stopped = "max_steps"
                return
            if conversation_tokens(self.messages, specs) > config.agent_context_tokens:
                self.stopped = "context"
                return
            turn_started = self.clock()
            try:
                ai, timed_out = model_turn(model, self.messages, self.deadline, self.clock)
            except Exception as e:  # backend down or context overflow: answer from what we have
                log.warning("agent model turn failed (%s)", type(e).__name__)
                log.debug("agent model turn failed: %s", e)  # may quote personal data
                self.degraded, self.stopped = f"{type(e).__name__}: {e}", "model_error"
                return
            self.model_calls += 1
            self.turn_seconds.append(round(self.clock() - turn_started, 3))
            if timed_out:
                self.stopped = "timeout"
                return
            text, calls, malformed = read_calls(ai, names)
            if malformed:
                self._malformed(ai)
                continue
            if not calls and not self.steps and not self.reminded:
                # A small model often describes the call in prose instead of making it.
                self.reminded = True
                self.messages += [AIMessage(content=ai.content), HumanMessage(self.reminder)]
                continue
            if not calls:
                self.final_text = answer_text(text)
                return
            if any(self._repeated(c) for c in calls):
                # A small model stuck in a loop: its earlier results are all it will get.
                self.stopped = "repeated"
                return
            self._run_calls(ai, calls)

    def _repeated(self, call: Call) -> bool:
        """Whether this exact call (tool and arguments) already ran, successfully or not."""
        return any(s.tool == call.name and s.args == call.args for s in self.steps)

    def _malformed(self, ai: AIMessage) -> None:
        """A <tool_call> block that is not JSON: counted as a failed step and said back."""
        error = "the <tool_call> block is not valid JSON"
        self.steps.append(ToolStep(tool="(malformed)", ok=False, error=error, call_format="tagged"))
        self.messages += [AIMessage(content=ai.content), HumanMessage(f"ERROR: {error}")]

    def _run_calls(self, ai: AIMessage, calls: list[Call]) -> None:
        native = all(c.format == "native" for c in calls)
        # A call the model wrote as text stays text in the history: the chat template then
        # shows the model exactly what it wrote, and no server sees half-formed tool_calls.
        self.messages.append(ai if native else AIMessage(content=ai.content))
        for call in calls:
            if len(self.steps) >= self.deps.config.agent_max_steps:
                # Every native call id needs an answer, even when the bound stops it.
                self.messages.append(ToolMessage("ERROR: step limit reached", tool_call_id=call.id))
                continue
            out, step = self.tools.call(call.name, call.args, call.format)
            self.steps.append(step)
            self.messages.append(ToolMessage(out, tool_call_id=call.id))

    def final_answer(self, model: Any, question: str, language: str) -> None:
        """After a bound: one turn without tools, answering from the tool results so far."""
        if self.clock() >= self.deadline or not self.tools.gathered.records:
            return
        self.messages.append(
            HumanMessage(render_prompt("agent_final", language, question=question))
        )
        turn_started = self.clock()
        try:
            ai, _ = model_turn(model, self.messages, self.deadline, self.clock)
        except Exception as e:
            log.warning("agent final turn failed (%s)", type(e).__name__)
            log.debug("agent final turn failed: %s", e)  # may quote personal data
            self.degraded = f"{type(e).__name__}: {e}"
            return
        self.model_calls += 1
        self.turn_seconds.append(round(self.clock() - turn_started, 3))
        text, calls, _ = read_calls(ai, set())
        self.final_text = "" if calls else answer_text(text)


def run_agent(
    deps: AssistantDeps,
    question: str,
    *,
    customer_id: int | None = None,
    actor: str,
    clock: Clock = time.monotonic,
) -> AgentResult:
    """Answer a question that needs several lookups; pinned to customer_id when one is given."""
    if not question.strip():
        raise InvalidRequest("the question is empty")
    started = clock()
    language = detect_language(question)
    name: str | None = None
    if customer_id is not None:
        profile = deps.profile(customer_id)
        customer_id, name = profile.customer.id, profile.customer.name  # merged -> survivor
    tools = AgentTools(deps, language, pinned_customer=customer_id)
    specs = tools.specs()
    run = AgentRun(deps, tools, started + deps.config.agent_timeout_s, clock)
    run.reminder = render_prompt("agent_remind", language)
    run.messages = prompt("agent", language, scope=_scope(tools, name), question=question)
    run.loop(deps.llm.bind_tools(specs), specs)
    if run.stopped in ("max_steps", "context", "repeated", "model_error") and not run.final_text:
        run.final_answer(_without_tools(deps.llm, specs), question, language)
    result = _grounded_result(deps, run, question, language, customer_id)
    result.seconds = round(clock() - started, 3)
    record(
        deps,
        result,
        actor=actor,
        action="agent",
        details={
            "question": question,
            "answered": result.answered,
            "degraded": result.degraded,
            "stopped": result.stopped,
            "tools": [
                {"tool": s.tool, "args": s.args, "ok": s.ok, "records": s.records}
                for s in result.steps
            ],
        },
    )
    return result


def _scope(tools: AgentTools, name: str | None) -> str:
    """The system prompt's line on whom the run is about (the pinned customer, or anyone)."""
    phrase = tools.phrases["scope_pinned" if tools.pinned is not None else "scope_open"]
    return render_text(phrase, {"name": name or ""}, f"{tools.language}/agent_tools.yaml:scope")


def _without_tools(llm: BaseChatModel, specs: list[dict[str, Any]]) -> Any:
    # tool_choice="none" keeps the specs for servers that want them beside tool messages;
    # the local model drops its tools for it, so its template asks for no call.
    return llm.bind_tools(specs, tool_choice="none")


def _grounded_result(
    deps: AssistantDeps, run: AgentRun, question: str, language: str, pinned: int | None
) -> AgentResult:
    """Check the final text against the gathered records; fall back to the records themselves."""
    context = run.tools.gathered.records
    guard = GuardReport()
    sentences: list[Sentence] = []
    citations: list[Citation] = []
    if run.final_text.strip():
        grounded = check(
            deps,
            run.final_text,
            context,
            customer_id=pinned,
            facts_text="",
            owners=lambda ids: check_fetched(ids, context, pinned, deps.owner_of),
        )
        guard, sentences, citations = grounded.guard, grounded.sentences, grounded.citations
    degraded = run.degraded
    # Whether the records answer is decided by relevance, not by the small model's
    # NOT_IN_RECORDS: with relevant records gathered, the user gets them.
    if not sentences:
        relevant = relevant_records(deps, question, context)
        if relevant:
            sentences, citations = fall_back(relevant, language)
            if run.stopped == "timeout" and degraded is None:
                degraded = f"agent stopped at the {deps.config.agent_timeout_s:.0f} s limit"
    answered = bool(sentences)
    if not answered:
        sentences = [Sentence(text=label("not_answered", language), generated=False)]
    return AgentResult(
        output_id=new_output_id(),
        question=question,
        language=language,  # type: ignore[arg-type]
        text=marked_text(sentences, citations),
        sentences=sentences,
        citations=citations,
        answered=answered,
        customer_id=pinned if pinned is not None else _one_customer(citations, context),
        model=deps.model,
        guard=guard,
        degraded=degraded,
        steps=run.steps,
        stopped=run.stopped,  # type: ignore[arg-type]
        model_calls=run.model_calls,
        turn_seconds=run.turn_seconds,
        draft=run.final_text,
    )


def check_fetched(
    record_ids: list[str],
    context: list[ContextRecord],
    pinned: int | None,
    owner_of: Callable[[str], int | None],
) -> tuple[list[str], int]:
    """Keep citations of records a tool returned in this run whose SQL owner is the customer
    the tool was asked about (and the pinned customer, if any); articles and segment figures
    belong to no customer."""
    by_id = {r.record_id: r for r in context}
    valid: list[str] = []
    removed = 0
    for rid in record_ids:
        r = by_id.get(rid)
        if r is None:
            ok = False
        elif rid.startswith(("article:", "segment:")):
            ok = r.customer_id is None
        else:
            owner = owner_of(rid)
            ok = owner is not None and owner == r.customer_id
            ok = ok and (pinned is None or owner == pinned)
        if ok and rid not in valid:
            valid.append(rid)
        elif not ok:
            removed += 1
    return valid, removed


def _one_customer(citations: list[Citation], context: list[ContextRecord]) -> int | None:
    """The customer an unpinned answer is about, when its citations name exactly one."""
    owners = {r.customer_id for r in context if r.record_id in {c.record_id for c in citations}}
    owners.discard(None)
    return owners.pop() if len(owners) == 1 else None
