"""Every operation of the OpenAPI document, fuzzed by Schemathesis against the real app.

Positive and negative (invalid) inputs: never a 5xx, and every answer has a documented status,
a documented content type and a body valid against its documented schema. Then the
``schemathesis run --checks all`` command, as a re-user would run it, over real HTTP against
the served document (with ``tests/api/schemathesis_hooks.py``: ST202 narrowed to the values no
schema can enumerate, and a Turtle deserializer).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web.api.openapi import build_spec

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]

# The document the app serves is built by the same function (checked in test_openapi.py).
schema = schemathesis.openapi.from_dict(build_spec())


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: Any, api_app: Flask) -> None:
    case.call_and_validate(checks=CHECKS, app=api_app)


ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_run_with_every_check(api_server: str, records: list[dict[str, Any]],
                                           tmp_path: Path) -> None:
    """What the issue's aggregator ran: examples, coverage (undeclared methods, boundaries,
    missing and wrong parameters) and fuzzing, every check; a fixed seed keeps it repeatable.
    The record operation gets a real id, so it is tested beyond its 404."""
    record_id = records[0]["id"]
    config = tmp_path / "schemathesis.toml"
    config.write_text('[[operations]]\ninclude-path = "/api/v1/resources/{record_id}"\n'
                      f'parameters = {{ record_id = "{record_id}" }}\n', encoding="utf-8")
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config),
               "run",
               f"{api_server}/api/v1/openapi.json", "--url", api_server,
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--phases", "examples,coverage,fuzzing", "--max-examples", "20", "--seed", "1",
               "--suppress-health-check", "all", "--no-color"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
           "PYTHONPATH": str(ROOT)}
    # Run from tmp_path: the command keeps its cache (.schemathesis/) in the working directory.
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    summary = done.stdout[done.stdout.rfind("SUMMARY"):]
    assert "Coverage" in summary and "Fuzzing" in summary and "failure" not in summary, summary
    # Only the dump archive may lack data: this server has written no dumps (the archive's own
    # answers are tested in test_dumps.py); every other operation must be reached beyond 404.
    missing = re.findall(r"^\s*- (GET|HEAD|POST) (\S+)$", done.stdout, flags=re.M)
    assert {path for _, path in missing} <= {"/api/v1/dumps/archive/{name}"}, summary
