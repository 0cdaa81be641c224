"""Property-based tests from the app's own OpenAPI: no 5xx, only documented status codes.

Runs in-process (schemathesis.openapi.from_asgi) against the seeded app with an admin key,
so every operation's success path is reachable. Driven with hypothesis directly (the
schemathesis pytest plugin's lazy fixtures do not work with pytest 9). Integration.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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

        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
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
