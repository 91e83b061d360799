"""The benchmark's partner feeds: the partner simulator's HTTP server serving the generated corpus.

Why a subclass of :class:`catalogue.simulator.Simulator`: the harvest must go through the same
HTTP server, fault layer and request log as every other simulated partner, but the recorded
partners hold a few dozen records and the benchmark needs a million, generated page by page from
the seed (no corpus in memory). The subclass only adds routes (``/bench/oai/<partner>``) and one
control endpoint (``POST /_sim/bench/generation``); the recorded partners keep working.

Each partner is an OAI-PMH 2.0 repository in ``oai_dc`` with second granularity, persistent
deletions and stateless resumption tokens ``<generation>!<from>!<until>!<next index>``. A
``from`` after 2024 (an incremental harvest after generation 2 was published) only visits the
candidate indices of changed and deleted records, so an incremental listing of a million-record
partner costs what its changes cost.

Run it in its own process (``python -m bench.feed --records N``) so that generating pages does
not take the GIL from the harvest being measured: a real partner is another machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from bench.corpus import CHANGED_MOD, CHANGED_REM, DELETED_MOD, DELETED_REM, GEN1_END, Corpus, Slice
from catalogue.simulator import SimRequest, SimResponse, Simulator
from catalogue.simulator.wire import json_response, xml_response

PREFIX = "/bench/oai/"
CONTROL = "/_sim/bench/generation"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
_ARGS = {"verb", "metadataPrefix", "from", "until", "set", "resumptionToken"}
# Candidates for a generation-2 change within one block of DELETED_MOD indices, sorted.
_BLOCK = sorted({r for r in range(DELETED_MOD) if r % CHANGED_MOD == CHANGED_REM} | {DELETED_REM})


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime | None:
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if len(value) == 20 and value.endswith("Z"):
            return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    except ValueError:
        return None
    return None


def changed_candidates(start: int, stop: int) -> Iterator[int]:
    """Indices in ``[start, stop)`` that generation 2 may have changed or deleted, in order."""
    block = (start // DELETED_MOD) * DELETED_MOD
    while block < stop:
        for r in _BLOCK:
            i = block + r
            if start <= i < stop:
                yield i
        block += DELETED_MOD


class BenchFeed(Simulator):
    """The simulator plus generated OAI-PMH partners over ``corpus``."""

    def __init__(self, corpus: Corpus, *, page_size: int = 100, gzip_responses: bool = False,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port, oai_page_size=page_size, gzip_responses=gzip_responses)
        self.corpus = corpus
        self.page_size = page_size
        self.generation = 1
        self.gen2_time = datetime(2100, 1, 1, tzinfo=UTC)  # set when generation 2 is published
        self.slices = {s.partner.id: s for s in corpus.slices}

    def publish_generation_2(self) -> datetime:
        """1 % of the records change and 0.1 % are deleted, now."""
        self.gen2_time = self.now().replace(microsecond=0)
        self.generation = 2
        return self.gen2_time

    # -- routing ------------------------------------------------------------------------------

    def dispatch(self, request: SimRequest) -> SimResponse:
        if request.path.startswith(PREFIX):
            part = self.slices.get(request.path[len(PREFIX):].strip("/"))
            if part is None:
                return SimResponse(status=404, body=b"unknown bench partner\n")
            return self._oai(part, request)
        return super().dispatch(request)

    def control(self, request: SimRequest) -> SimResponse:
        if request.path == CONTROL and request.method == "POST":
            when = self.publish_generation_2()
            return json_response({"generation": self.generation, "datestamp": _stamp(when)})
        if request.path == CONTROL:
            return json_response({"generation": self.generation})
        return super().control(request)

    # -- OAI-PMH ------------------------------------------------------------------------------

    def _envelope(self, part: Slice, attrs: dict[str, str], inner: str) -> SimResponse:
        attr_text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        url = escape(self.url(PREFIX + part.partner.id))
        body = (f"{_HEAD}<responseDate>{_stamp(self.now())}</responseDate>"
                f"<request{attr_text}>{url}</request>{inner}</OAI-PMH>\n")
        return xml_response(body)

    def _error(self, part: Slice, code: str, message: str) -> SimResponse:
        return self._envelope(part, {}, f'<error code="{code}">{escape(message)}</error>')

    def _oai(self, part: Slice, request: SimRequest) -> SimResponse:
        params = request.params
        verb = params.get("verb", "")
        if verb == "Identify":
            inner = (
                f"<Identify><repositoryName>Bench {escape(part.partner.name)}</repositoryName>"
                f"<baseURL>{escape(self.url(PREFIX + part.partner.id))}</baseURL>"
                "<protocolVersion>2.0</protocolVersion><adminEmail>bench@example.org</adminEmail>"
                "<earliestDatestamp>2012-01-01T00:00:00Z</earliestDatestamp>"
                "<deletedRecord>persistent</deletedRecord>"
                "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
            )
            return self._envelope(part, {"verb": verb}, inner)
        if verb != "ListRecords":
            return self._error(part, "badVerb", f"unsupported verb {verb!r}")
        if set(params) - _ARGS:
            return self._error(part, "badArgument", "illegal argument")
        token = params.get("resumptionToken")
        if token is not None:
            pieces = token.split("!")
            if len(pieces) != 4 or not pieces[0].isdigit() or not pieces[3].isdigit():
                return self._error(part, "badResumptionToken", "invalid token")
            generation, frm, until, start = int(pieces[0]), pieces[1], pieces[2], int(pieces[3])
            if generation != self.generation:
                return self._error(part, "badResumptionToken", "the repository changed")
        else:
            if params.get("metadataPrefix") != "oai_dc":
                return self._error(part, "cannotDisseminateFormat", "only oai_dc")
            generation, start = self.generation, part.start
            frm, until = params.get("from", ""), params.get("until", "")
        since = _parse(frm) if frm else None
        before = _parse(until) if until else None
        if (frm and since is None) or (until and before is None):
            return self._error(part, "badArgument", "bad from/until")
        if until and before is not None and len(until) == 10:
            before = before.replace(hour=23, minute=59, second=59)

        corpus, gen2 = self.corpus, self.gen2_time
        only_changes = since is not None and since > GEN1_END
        indices: Iterator[int] = (changed_candidates(start, part.stop) if only_changes
                                  else iter(range(start, part.stop)))
        items: list[str] = []
        next_index = part.stop
        for i in indices:
            if len(items) >= self.page_size:
                next_index = i
                break
            stamp = corpus.datestamp(i, generation, gen2)
            if (since is not None and stamp < since) or (before is not None and stamp > before):
                continue
            items.append(corpus.record_xml(i, part.partner, generation, gen2))
        if not items:
            if token is None:
                return self._error(part, "noRecordsMatch", "no records match")
            inner = "<ListRecords><resumptionToken/></ListRecords>"
            return self._envelope(part, {"verb": verb}, inner)
        more = next_index < part.stop
        if more:
            tail = f"<resumptionToken>{generation}!{frm}!{until}!{next_index}</resumptionToken>"
        else:
            tail = "<resumptionToken/>" if token is not None else ""
        names = ("verb", "metadataPrefix", "from", "until", "resumptionToken")
        attrs: dict[str, str] = {k: params[k] for k in names if k in params}
        return self._envelope(part, attrs, f"<ListRecords>{''.join(items)}{tail}</ListRecords>")


def main(argv: list[str] | None = None) -> None:
    """Serve the feeds until killed; the first stdout line is JSON with the base URL."""
    parser = argparse.ArgumentParser(prog="python -m bench.feed")
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--gzip", action="store_true", help="gzip responses (off: loopback)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    corpus = Corpus(args.records) if args.seed is None else Corpus(args.records, args.seed)
    feed = BenchFeed(corpus, page_size=args.page_size, gzip_responses=args.gzip, port=args.port)
    base = feed.start()
    sys.stdout.write(json.dumps({"base_url": base}) + "\n")
    sys.stdout.flush()
    feed.serve_forever()


if __name__ == "__main__":
    main()
