"""A stand-in for assistant.llm.runtime that speaks its protocol without a model (unit tests).

It answers every request with the words of its last message, one per `--delay` seconds;
`--fail-start` exits before becoming ready, as a runtime whose model cannot load does.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--fail-start", action="store_true")
    parser.add_argument("--tag", default="")  # makes a test's command line its own
    args = parser.parse_args()
    if args.fail_start:
        print("cannot load GGUF model /nowhere.gguf: ValueError: no such file", file=sys.stderr)
        sys.exit(3)
    requests: queue.Queue[dict | None] = queue.Queue()
    cancelled: set[int] = set()

    def read() -> None:
        for line in sys.stdin:
            message = json.loads(line)
            if "cancel" in message:
                cancelled.add(message["cancel"])
            else:
                requests.put(message)
        requests.put(None)

    def send(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    threading.Thread(target=read, daemon=True).start()
    send({"ready": True, "pid": os.getpid()})
    while (request := requests.get()) is not None:
        rid = request["id"]
        words = str(request["messages"][-1]["content"]).split()[: request["max_tokens"]]
        for word in words:
            if rid in cancelled:
                break
            time.sleep(args.delay)
            send({"id": rid, "delta": word + " "})
        send({"id": rid, "done": True})


if __name__ == "__main__":
    main()
