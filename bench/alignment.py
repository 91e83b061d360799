"""The alignment stage: CPU per record of the whole alignment and of its content layer.

Runs in-process on the corpus's Dublin Core (title, subjects, description, date), the same
text a harvest maps, and uses ``time.process_time`` so that other processes on the machine do
not count. The content layer's budget is 0.3 ms of CPU per record (issue 14).
"""

from __future__ import annotations

import time
from typing import Any

from bench.corpus import Corpus


def _record(meta: dict[str, list[str]]) -> dict[str, Any]:
    date = (meta.get("date") or [""])[0][:4]
    record: dict[str, Any] = {
        "title": [{"value": t} for t in meta.get("title", [])],
        "description": [{"value": d} for d in meta.get("description", [])],
        "keywords": [{"value": s} for s in meta.get("subject", [])],
    }
    if date.isdigit():
        record["dates"] = {"created": {"text": date, "start": date, "end": date}}
    return record


def measure(corpus: Corpus, records: int = 5000) -> dict[str, Any]:
    """ms of CPU per record: align() in full, and the content inference alone."""
    from schemas.alignment import align
    from schemas.content import infer
    from schemas.content.index import content_index
    from schemas.vocabularies import load_vocabulary

    vocab = load_vocabulary()
    started = time.process_time()
    content_index(vocab)
    build = time.process_time() - started
    samples = []
    for s in corpus.slices:
        share = max(1, records * (s.stop - s.start) // corpus.records)
        stop = min(s.stop, s.start + share)
        samples += [_record(corpus.metadata(i, s.partner)) for i in range(s.start, stop)]
    for record in samples[:200]:  # warm the memoised stems, as a long harvest does
        infer(record, {}, vocab, set(), False)
    started = time.process_time()
    inferred = 0
    for record in samples:
        found = infer(record, {}, vocab, set(), False)
        inferred += bool(found.levels or found.disciplines)
    content = time.process_time() - started
    started = time.process_time()
    for record in samples:
        align(record, {}, None, None, vocab)
    full = time.process_time() - started
    n = max(1, len(samples))
    return {
        "records": n,
        "index_build_ms": round(build * 1000, 1),
        "content_ms_per_record": round(content * 1000 / n, 3),
        "align_ms_per_record": round(full * 1000 / n, 3),
        "records_with_inferred_values": round(inferred / n, 3),
    }


__all__ = ["measure"]
