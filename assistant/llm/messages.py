"""LangChain messages to OpenAI-style dicts, and Qwen-style <tool_call> blocks back to calls."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

# The closing tag may be missing when generation stops at the end-of-turn token.
_TOOL_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*(?:</tool_call>|$)", re.DOTALL)


def to_chat_dicts(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """Convert LangChain messages to the role/content dicts a chat template expects."""
    out: list[dict[str, Any]] = []
    for m in messages:
        content = m.content if isinstance(m.content, str) else _flatten(m.content)
        if isinstance(m, SystemMessage):
            out.append({"role": "system", "content": content})
        elif isinstance(m, ToolMessage):
            out.append({"role": "tool", "content": content, "tool_call_id": m.tool_call_id})
        elif isinstance(m, AIMessage):
            item: dict[str, Any] = {"role": "assistant", "content": content}
            if m.tool_calls:
                # The Qwen template serialises arguments with tojson: hand it dicts, not strings.
                item["tool_calls"] = [
                    {
                        "id": c.get("id") or "",
                        "type": "function",
                        "function": {"name": c["name"], "arguments": c["args"]},
                    }
                    for c in m.tool_calls
                ]
            out.append(item)
        else:
            out.append({"role": "user", "content": content})
    return out


def _flatten(parts: list[Any]) -> str:
    texts = [p if isinstance(p, str) else str(p.get("text", "")) for p in parts]
    return "".join(texts)


def parse_tool_calls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split a completion into its plain text and the <tool_call> JSON blocks it contains."""
    calls: list[dict[str, Any]] = []
    for match in _TOOL_CALL.finditer(text):
        payload = json_object(match.group(1))
        if payload is None:
            continue  # a malformed call is treated as no call; the agent then answers in text
        name = payload.get("name")
        args = payload.get("arguments", payload.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                args = {}
        if isinstance(name, str) and isinstance(args, dict):
            calls.append({"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"})
    return _TOOL_CALL.sub("", text).strip(), calls


def json_object(raw: str) -> dict[str, Any] | None:
    """The JSON object of a call; Qwen2.5-Coder's template shows the format with doubled braces
    ({{"name": ...}}), which the model copies, sometimes with unbalanced closing braces: extra
    opening braces are skipped and anything after the object is ignored."""
    start = raw.find("{")
    while start != -1 and raw[start + 1 : start + 2] == "{":
        start += 1
    if start == -1:
        return None
    try:
        payload, _ = json.JSONDecoder().raw_decode(raw[start:])
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None
