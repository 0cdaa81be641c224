"""The shared steps: one grounding policy from settings, generation that degrades, markers."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage

from assistant.citations import marked_text
from assistant.deps import AssistantDeps
from assistant.grounding import GroundingPolicy
from assistant.llm.fake import FakeChatModel
from assistant.pipeline import Generated, generate, prompt
from assistant.types import Citation, Sentence
from knowledge.settings import Settings
from tests.assistant.conftest import World


def test_grounding_policy_takes_the_configurable_thresholds_from_settings() -> None:
    settings = Settings(assistant={"relevance_threshold": 0.25, "support_threshold": 0.4})  # type: ignore[arg-type]
    policy = GroundingPolicy.from_settings(settings.assistant)
    assert (policy.relevance_cosine, policy.support_overlap) == (0.25, 0.4)
    assert policy.support_cosine == 0.5 and policy.marker_overlap == 0.15  # the fixed ones
    assert policy.supports(0.4, 0.0) and not policy.supports(0.39, 0.49)
    assert policy.relevant(0.5, 0.0) and not policy.relevant(0.49, 0.24)


class _Breaks(FakeChatModel):
    """Streams two pieces, then the backend fails; remembers whether its stream was closed."""

    closed: bool = False

    def _stream(self, *args: Any, **kwargs: Any) -> Any:
        try:
            for i, chunk in enumerate(super()._stream(*args, **kwargs)):
                if i == 2:
                    raise RuntimeError("model process ended")
                yield chunk
        finally:
            self.closed = True


def _deps(world: World, llm: FakeChatModel) -> AssistantDeps:
    return AssistantDeps(world.settings, world.sessions, world.retrieval, llm)


def test_generate_streams_then_degrades_to_no_text_on_a_failure(world: World) -> None:
    llm = _Breaks(replies=["one two three four"])
    out = Generated()
    pieces = list(generate(_deps(world, llm), [HumanMessage("q")], 50, out))
    assert pieces == ["one ", "two "]  # what the user already saw streamed
    assert out.text == "" and out.degraded == "RuntimeError: model process ended"


def test_closing_the_generation_closes_the_model_stream(world: World) -> None:
    llm = _Breaks(replies=["one two three four"])
    out = Generated()
    stream = generate(_deps(world, llm), [HumanMessage("q")], 50, out)
    assert next(stream) == "one "
    stream.close()
    assert llm.closed and out.degraded is None


def test_prompt_renders_the_jobs_system_and_user_turns() -> None:
    system, user = prompt("rewrite", "en", instruction="shorter", text="Hello there.")
    assert "Hello there." in str(user.content) and "shorter" in str(user.content)
    assert "$" not in str(system.content)


def test_markers_follow_the_citations_order() -> None:
    citations = [Citation(record_id=r, kind="call", quote="q") for r in ("a:1", "b:2")]
    sentences = [
        Sentence(text="Both.", citations=["b:2", "a:1"]),
        Sentence(text="Unknown.", citations=["c:3"]),
        Sentence(text="None.", generated=False),
    ]
    assert marked_text(sentences, citations) == "Both. [2][1]\nUnknown.\nNone."
