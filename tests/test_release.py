"""The release check: `kizuna demo` as a new user runs it, with the installed local model.

It loads the demo company into a scratch data directory, indexes it and serves on a free
loopback port; the test waits for /ready, asks one real question through /chat/answer and
checks that the model's cited answer came back, then stops the server and its model process.
A runtime that crashes on this CPU (e.g. compiled with -march=native) fails here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.live import free_port
from tests.conftest import MODEL_CACHE

pytestmark = pytest.mark.integration
KEY_LINE = re.compile(r"Demo API key \(admin\):\s*(\S+)")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _question(data_dir: Path, qid: str = "en-quote") -> dict[str, object]:
    """A question about one customer from the demo's own labelled questions: by default what
    a support agent asks first about a B2B account (a promise and its date)."""
    for line in (data_dir / "demo" / "questions.jsonl").read_text().splitlines():
        q = json.loads(line)
        if q["id"] == qid:
            return dict(q)
    raise AssertionError(f"the demo wrote no question {qid}")


def test_kizuna_demo_serves_a_cited_real_model_answer(tmp_path: Path, model_path: str) -> None:
    data_dir, port = tmp_path / "data", free_port()
    env = {
        **os.environ,
        "KIZUNA_DATA_DIR": str(data_dir),
        "KIZUNA_LLM__MODEL_CACHE_DIR": str(MODEL_CACHE),  # assembled once (model_path fixture)
        "HF_HUB_OFFLINE": "1",
        "COLUMNS": "200",
    }
    kizuna = str(Path(sys.executable).with_name("kizuna"))
    proc = subprocess.Popen(
        [kizuna, "demo", "--scale", "0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, ready = time.monotonic() + 600, {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, (
                f"kizuna demo exited ({proc.returncode}):\n{''.join(output)}"
            )
            try:
                r = httpx.get(f"{url}/ready", timeout=2)
                ready = r.json()
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise AssertionError(f"not ready in 600 s: {ready}\n{''.join(output)[-3000:]}")
        assert ready["llm"] == "ready", ready
        key = next(m.group(1) for line in output if (m := KEY_LINE.search(line)))
        q = _question(data_dir)
        customer_id = q["scope"]["customer_id"]  # type: ignore[index]
        r = httpx.post(
            f"{url}/chat/answer",
            json={"question": q["query"], "customer_id": customer_id},
            headers={"Authorization": f"Bearer {key}"},
            timeout=300,
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["degraded"] is None, answer  # the model ran and did not fail
        assert answer["answered"] and answer["citations"], answer
        assert answer["model"].startswith("local:"), answer["model"]
        for citation in answer["citations"]:  # the customer's own records or articles
            rid = citation["record_id"]
            record = httpx.get(
                f"{url}/records/{rid}", headers={"Authorization": f"Bearer {key}"}, timeout=30
            )
            assert record.status_code == 200, record.text
            assert rid.startswith("article:") or record.json()["customer_id"] == customer_id
        _ask_in_the_panel(url, key, customer_id, str(q["query"]))
    finally:
        children = _children(proc.pid)
        proc.send_signal(signal.SIGINT)  # Ctrl+C, as the README says
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    for child in children:  # the model process went with the server
        assert not Path(f"/proc/{child}").exists() or _zombie(child), child


def _ask_in_the_panel(url: str, key: str, customer_id: int, question: str) -> None:
    """The same question in the panel, in Chromium: the real model's answer streams in."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
    from tests.browser.test_panel import COUNT_STREAM_UPDATES

    name = httpx.get(
        f"{url}/customers/{customer_id}", headers={"Authorization": f"Bearer {key}"}, timeout=30
    ).json()["customer"]["name"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="en-US")
            page.goto(url + "/")
            page.wait_for_selector("#api-key:focus")
            page.keyboard.type(key)
            page.keyboard.press("Enter")
            page.wait_for_selector("#customer-q:focus")
            page.keyboard.type(name)
            page.click(f"#customer-results button[data-customer-id='{customer_id}']")
            page.wait_for_selector("#card-body h3.name")
            page.evaluate(COUNT_STREAM_UPDATES)
            page.focus("#question")
            page.keyboard.type(question)
            page.keyboard.press("Enter")
            page.wait_for_selector("#chat-log .msg.bot .cite", timeout=180_000)
            updates = page.evaluate("window.__streamUpdates")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "release-panel-answer.png"), full_page=True)
            assert updates >= 2, f"the answer did not stream ({updates} updates)"
        finally:
            browser.close()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
