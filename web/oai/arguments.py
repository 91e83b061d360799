"""OAI-PMH request grammar: the verbs, their arguments, and the GET/POST (also chunked) forms."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from schemas.serializers._xml import is_xml_safe, xml_text
from web.oai.errors import OAIError

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb: (required arguments, optional arguments); resumptionToken is exclusive.
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}),
                        frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}
_SPEC_PART = r"[A-Za-z0-9\-_.!~*'()]+"
SET_SPEC = re.compile(rf"^{_SPEC_PART}(:{_SPEC_PART})*$")
_PREFIX = re.compile(rf"^{_SPEC_PART}$")
_IDENTIFIER = re.compile(r"^[^\s<>\"{}|\\^`]{1,1000}$")


def request_arguments() -> list[tuple[str, str]]:
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        if request.content_length is None and request.environ.get("wsgi.input_terminated"):
            pairs += _chunked_form()
        else:  # with a Content-Length, Flask's MAX_CONTENT_LENGTH answers 413 itself
            pairs += list(request.form.items(multi=True))
    return pairs


def _chunked_form() -> list[tuple[str, str]]:
    """A chunked POST body, read up to the limit: over it is 413, not a body cut short and
    answered as if it were complete."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 64 * 1024)
    stream = request.environ["wsgi.input"]
    body = b""
    while len(body) <= limit:
        chunk = stream.read(min(65536, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge(f"the request body is over {limit} bytes")
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def check_arguments(pairs: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments; badVerb / badArgument as the protocol defines them."""
    verbs = [v for k, v in pairs if k == "verb"]
    if len(verbs) != 1:
        raise OAIError([("badVerb", "the verb argument is missing or repeated")], echo=False)
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError([("badVerb", "illegal OAI-PMH verb")], echo=False)
    required, optional = VERBS[verb]
    args: dict[str, str] = {}
    problems: list[str] = []
    for key, value in pairs:
        if key == "verb":
            continue
        if key not in required and key not in optional:
            problems.append(f"illegal argument '{xml_text(key)[:50]}' for {verb}")
        elif key in args:
            problems.append(f"repeated argument '{key}'")
        elif not value or not is_xml_safe(value):
            problems.append(f"argument '{key}' has an empty or illegal value")
        else:
            args[key] = value
    if "resumptionToken" in args and len(args) > 1:
        problems.append("resumptionToken is an exclusive argument")
    elif "resumptionToken" not in args:
        problems.extend(f"missing argument '{name}'" for name in sorted(required - args.keys()))
    if "metadataPrefix" in args and not _PREFIX.match(args["metadataPrefix"]):
        problems.append("metadataPrefix has an illegal syntax")
    if "set" in args and not SET_SPEC.match(args["set"]):
        problems.append("set has an illegal setSpec syntax")
    if "identifier" in args and not _IDENTIFIER.match(args["identifier"]):
        problems.append("identifier has an illegal syntax")
    if problems:
        raise OAIError([("badArgument", p) for p in problems], echo=False)
    return verb, args

