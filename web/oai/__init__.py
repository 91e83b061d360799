"""OAI-PMH 2.0 data provider: the six verbs over the store, in oai_dc, LOM and ScoLOMFR.

Design (see ``docs/oai-pmh.md``):

* Records are listed in change order (``seq``, :mod:`catalogue.listing`); a resumption token is
  stateless — the request's arguments plus the last ``seq`` delivered, base64url-encoded with a
  version and an HMAC — so it never expires while the data exists, survives restarts and
  works on any worker (:mod:`web.oai.tokens`). A record changed during a harvest comes again
  later in the same listing.
* Datestamps are the moment a record last changed in the store, shown to the second (UTC);
  ``from`` counts from the start of its second (or day) and ``until`` to its end
  (:mod:`web.oai.dates`).
* Sets (:mod:`web.oai.sets`): ``partner:<id>``, ``level:<stage>[:<class>…]`` along the ScoLOMFR
  level tree, ``level:<cycle>``, ``discipline:<id>``, and the three roots. Membership comes from
  the store's facet rows, which are deleted with the record: tombstones appear in unfiltered and
  partner lists (deletions are persistent), not in level or discipline sets.
* List responses are streamed record by record from one page of rows (:mod:`web.oai.lists`,
  :mod:`web.oai.rendering`), so memory per request does not grow with the catalogue.
* The request grammar is :mod:`web.oai.arguments`; the route is :mod:`web.oai.views`.
"""

from flask import Blueprint

bp = Blueprint("oai", __name__)

# Importing the views registers the route and handlers on ``bp``.
from web.oai import views  # noqa: E402,F401
from web.oai.dates import parse_date  # noqa: E402
from web.oai.errors import OAIError  # noqa: E402
from web.oai.tokens import Token, decode_token, encode_token  # noqa: E402

__all__ = ["OAIError", "Token", "bp", "decode_token", "encode_token", "parse_date"]
