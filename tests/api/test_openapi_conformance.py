"""Every operation of the OpenAPI document, fuzzed by Schemathesis against the real app.

Positive and negative (invalid) inputs: never a 5xx, and every answer has a documented status,
a documented content type and a body valid against its documented schema.
"""

from __future__ import annotations

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
