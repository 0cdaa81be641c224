"""The local model's own process: llama.cpp behind a line-oriented JSON protocol on stdin/stdout.

Run by assistant.llm.supervisor as `python -m assistant.llm.runtime --model PATH ...`. A fault
in llama.cpp (a bad build, an instruction the CPU refuses, memory) ends this process only; the
API that started it answers from the records and starts a new one.

Protocol, one JSON object per line:
  child -> parent  {"ready": true, "pid": N}                   once the model is loaded
  parent -> child  {"id": N, "messages": [...], "max_tokens": M, "temperature": T,
                    "stop": [...] | null, "tools": [...] | null}
  child -> parent  {"id": N, "delta": "text"} ..., then {"id": N, "done": true}
                   or {"id": N, "error": "Type: message"}
  parent -> child  {"cancel": N}                               stop request N at the next token
End of stdin ends the process.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
from typing import IO, Any

# Qwen2.5-Coder's chat template shows the tool-call format as {{"name": ..., "arguments": ...}}
# (Jinja string literal: the braces are printed doubled) and the 1.5B model copies the doubled
# braces. The model gets the same template with the example written as JSON.
_DOUBLED_EXAMPLE = '{{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}}'
_JSON_EXAMPLE = '{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}'


def load_model(path: str, n_ctx: int, n_threads: int) -> Any:
    """The GGUF model with a prompt-state cache and the corrected tool-call example."""
    from llama_cpp import Llama, LlamaRAMCache

    llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False, seed=0)
    # Keeps the KV state of recent prompts: the fixed system prefix and a customer's
    # context are not evaluated again when the next request starts the same way.
    llama.set_cache(LlamaRAMCache(capacity_bytes=1 << 30))
    _fix_tool_call_example(llama)
    return llama


def _fix_tool_call_example(llama: Any) -> None:
    """Use the GGUF's own chat template with its tool-call example corrected, if it has one."""
    template = llama.metadata.get("tokenizer.chat_template", "")
    if _DOUBLED_EXAMPLE not in template or llama.chat_handler is not None:
        return
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    llama.chat_handler = Jinja2ChatFormatter(
        template=template.replace(_DOUBLED_EXAMPLE, _JSON_EXAMPLE),
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        stop_token_ids=[eos_id],
    ).to_chat_handler()


class _Channel:
    """Requests from stdin (read on a thread, so a cancel arrives mid-generation) and replies."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.cancelled: set[int] = set()
        threading.Thread(target=self._read, name="runtime-stdin", daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            if not line.strip():
                continue
            message = json.loads(line)
            if "cancel" in message:
                self.cancelled.add(int(message["cancel"]))
            else:
                self.requests.put(message)
        self.requests.put(None)  # the parent closed stdin: stop

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.out.flush()


def serve(llama: Any, channel: _Channel) -> None:
    """Answer requests one at a time until stdin closes."""
    while (request := channel.requests.get()) is not None:
        rid = int(request["id"])
        try:
            stream = llama.create_chat_completion(
                messages=request["messages"],
                stream=True,
                temperature=float(request.get("temperature", 0.0)),
                max_tokens=int(request["max_tokens"]),
                stop=request.get("stop"),
                tools=request.get("tools"),
                seed=0,
            )
            try:
                for part in stream:
                    if rid in channel.cancelled:
                        break
                    delta = part["choices"][0]["delta"].get("content") or ""
                    if delta:
                        channel.send({"id": rid, "delta": delta})
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
            channel.send({"id": rid, "done": True})
        except Exception as e:  # the request fails, the process keeps serving
            channel.send({"id": rid, "error": f"{type(e).__name__}: {e}"})
        channel.cancelled.discard(rid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--n-threads", type=int, default=2)
    args = parser.parse_args(argv)
    # The protocol owns the real stdout; anything native code prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:
        llama = load_model(args.model, args.n_ctx, args.n_threads)
    except Exception as e:  # the parent reports it; a traceback helps nobody here
        sys.stderr.write(f"cannot load GGUF model {args.model}: {type(e).__name__}: {e}\n")
        sys.exit(3)
    channel = _Channel(out)
    channel.send({"ready": True, "pid": os.getpid()})
    serve(llama, channel)
    llama.close()


if __name__ == "__main__":
    main()
