"""A bounded schemathesis run against the OpenAPI schema: every operation, with generated
parameters and bodies, as an admin (who may call them all) and without a token: no server
error, and every error answer has the one error body."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rich.console import Console
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from gateway.app import create_app
from gateway.demo import seed_import
from gateway.demo.runner import DemoContext
from gateway.demo.web_data import prepare
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import Role
from tests.gateway.api.fixtures import add_user

#: examples per operation: bounded, so the run takes seconds, not minutes
EXAMPLES = 12


class Target:
    def __init__(self, root: Path) -> None:
        workdir = root / "demo"
        url = f"sqlite:///{workdir / 'shiftgate.db'}"
        seed_import.run(DemoContext(Console(file=io.StringIO()), workdir, url))
        self.engine = make_engine(url)
        factory = make_session_factory(self.engine)
        demo = prepare(factory, root / "config", clock=lambda: datetime.now(UTC))
        self.token = add_user(factory, "fuzz-admin", Role.ADMIN, password=None)
        settings_ = Settings(database_url=url, var_dir=root / "var", config_dir=demo.config_dir)
        self.app = create_app(settings_, session_factory=factory)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    t = Target(tmp_path_factory.mktemp("fuzz"))
    yield t
    t.app.state.shiftgate.jobs.close()
    t.engine.dispose()


def _operations(target: Target) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the schema itself is broken
        operations.append(result.ok())
    return operations


def _check_error_body(response: schemathesis.Response) -> None:
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body


def _run(operation: schemathesis.APIOperation, examples: int, test: object) -> None:
    """Drive hypothesis by hand (schemathesis's pytest plugin predates pytest 9)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same cases every run: a failure reproduces
    )
    def each(case: schemathesis.Case) -> None:
        test(case)  # type: ignore[operator]

    each()


def test_no_server_errors_as_admin(target: Target) -> None:
    auth = {"Authorization": f"Bearer {target.token}"}
    operations = _operations(target)
    assert len(operations) >= 25
    seen: Counter[int] = Counter()

    def call(case: schemathesis.Case) -> None:
        if isinstance(case.body, dict) and "time_limit_s" in case.body:
            case.body["time_limit_s"] = 1  # a generated solve runs briefly in the background
        response = case.call(headers=auth)
        seen[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])
        _check_error_body(response)

    for operation in operations:
        _run(operation, EXAMPLES, call)
    # the run reached past validation: answers, refusals and misses
    assert seen[200] > 0 and seen[422] > 0 and seen[404] > 0, seen
    assert not any(code >= 500 for code in seen), seen


def test_without_a_token_only_health_answers(target: Target) -> None:
    def call(case: schemathesis.Case) -> None:
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        if case.path != "/api/v1/health":
            assert response.status_code == 401, (case.path, response.status_code)
            _check_error_body(response)

    for operation in _operations(target):
        _run(operation, 3, call)
