"""Resumption tokens: stateless, the request's arguments and the last ``seq`` delivered, signed
with HMAC-SHA256 under the settings' key (``Settings.oai_key``: ``CATALOGUE_OAI_TOKEN_KEY``, or
the random key kept in the data dir; never a constant of the code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from web.oai.errors import OAIError

TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 2048
LIST_VERBS = {"ListIdentifiers": "LI", "ListRecords": "LR"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Token:
    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None
    after_seq: int
    cursor: int
    total: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(token: Token, key: bytes) -> str:
    """``base64url(compact JSON) . base64url(HMAC-SHA256[:9])`` — URL-safe, no state."""
    payload: dict[str, Any] = {"v": TOKEN_VERSION, "verb": LIST_VERBS[token.verb], "p": token.prefix,
                               "k": token.after_seq, "c": token.cursor, "n": token.total}
    if token.set_spec is not None:
        payload["s"] = token.set_spec
    if token.from_ is not None:
        payload["f"] = token.from_
    if token.until is not None:
        payload["u"] = token.until
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(key, raw, hashlib.sha256).digest()[:9]
    return f"{_b64(raw)}.{_b64(mac)}"


def decode_token(text: str, verb: str, key: bytes) -> Token:
    """The token's content, or badResumptionToken if it is malformed, altered or for another verb."""
    bad = OAIError([("badResumptionToken", "the resumption token is invalid")])
    if len(text) > MAX_TOKEN_LENGTH or not _TOKEN.match(text):
        raise bad
    body, mac = text.split(".")
    try:
        raw = _unb64(body)
        expected = hmac.new(key, raw, hashlib.sha256).digest()[:9]
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise bad
        payload = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise bad from exc
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise bad
    if payload.get("verb") != LIST_VERBS.get(verb):
        raise OAIError([("badResumptionToken", f"the resumption token is not one of {verb}")])
    ints = [payload.get(k) for k in ("k", "c", "n")]
    strings = [payload.get(k) for k in ("s", "f", "u")]
    if (not isinstance(payload.get("p"), str)
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62 for v in ints)
            or not all(v is None or isinstance(v, str) for v in strings)):
        raise bad
    return Token(verb, payload["p"], payload.get("s"), payload.get("f"), payload.get("u"),
                 payload["k"], payload["c"], payload["n"])

