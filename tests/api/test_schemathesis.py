"""Property-based tests from the app's own OpenAPI: no 5xx, only documented status codes.

Runs in-process (schemathesis.openapi.from_asgi) against the seeded app with an admin key,
so every operation's success path is reachable. Driven with hypothesis directly (the
schemathesis pytest plugin's lazy fixtures do not work with pytest 9). Two parts: every
operation alone, and stateful sequences that follow the OpenAPI links (an answer's
`output_id` into feedback and rewrites, an upload's job id into its status, customer ids
into profiles and briefs). Both use a fixed seed, `KIZUNA_SCHEMATHESIS_SEED` (default below),
so a failure reproduces; benchmarks/run_schemathesis.py runs them over many seeds.
Integration.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ApiHarness

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = int(os.environ.get("KIZUNA_SCHEMATHESIS_SEED", "20261204"))
EXAMPLES = int(os.environ.get("KIZUNA_SCHEMATHESIS_EXAMPLES", "40"))

EXCLUDED = {"DELETE /keys/{key_id}"}  # random ids would revoke the key the test itself uses


@pytest.mark.integration
def test_openapi_no_server_errors_and_documented_statuses(shared_api: ApiHarness) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", shared_api.app)
    headers = shared_api.headers("admin")
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED:
            continue

        @seed(SEED)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as e:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(e).__name__}: {str(e)[:1500]}")
        tested += 1
    assert tested >= 25
    assert not failures, "\n\n".join(failures)


@pytest.mark.integration
def test_stateful_sequences_follow_links(shared_api: ApiHarness) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", shared_api.app)
    schema = schema.exclude(method="DELETE", path="/keys/{key_id}")
    headers = shared_api.headers("admin")
    base = schema.as_state_machine()
    links = [rule for rule in dir(base) if "__" in rule and not rule.startswith(("_", "RANDOM"))]
    assert any("feedback" in rule for rule in links), links
    assert any("imports_job_id" in rule for rule in links), links
    steps: list[str] = []

    class Machine(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Case, **kwargs: Any) -> None:
            steps.append(case.operation.label)
            case.validate_response(response, checks=CHECKS)

    seeded = seed(SEED)(Machine)  # hypothesis reads the seed from the state machine class
    seeded.run(
        settings=settings(
            max_examples=max(5, EXAMPLES // 2),
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert len(set(steps)) >= 5, sorted(set(steps))
