"""Embedded search with tantivy: one directory per index generation, a pointer to the live one.

Layout under ``<data_dir>/index``::

    CURRENT                  name of the live generation (replaced atomically)
    .lock                    flock taken while creating or switching generations
    index-<UTC timestamp>/   tantivy files + catalogue.json {analyser, layout, last_seq}

Readers (any number of processes) check ``CURRENT`` and ``reload()`` before each search, so a
commit or a switch made by another process is seen at once. Writers open a tantivy writer per
write session; tantivy allows one at a time and fails at once with LockBusy, so we retry with
backoff for a bounded time.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Document, Filter, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from schemas.record import text_of
from search import forgiving, suggest
from search.base import (
    FACET_GROUPS,
    FacetValue,
    Hit,
    InvalidQuery,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from search.documents import (
    EXACT_TITLE_BOOST,
    FACET_FIELDS,
    TEXT_FIELDS,
    TITLE_SORT_CHARS,
    SearchDocument,
    facet_terms,
    modified_seconds,
    sort_fields,
    to_document,
)
from search.expansion import Alternative, Clause
from search.facets import Taxonomy, split_label
from search.forgiving import COVER, DATE_SCORE, FACET_SCORE, TITLE_COVER, max_span
from search.paging import GROUP_WINDOW, MAX_CURSOR_OFFSET, Plan, encode_cursor, make_plan
from search.text import (
    FRENCH_STOP_WORDS,
    fold_key,
    group_key,
    is_stop_word,
    mark_html,
    snippet_html,
    strip_qualifiers,
    user_text,
)

log = logging.getLogger(__name__)

# Bump when the analysers change (the index must be rebuilt: tokens on disk no longer match).
ANALYSER_VERSION = 1
# Bump when fields change (2: dates, period facet, completion words, collation key; 3: the
# catalogue change datestamp, for modified_since and sort=modified).
LAYOUT_VERSION = 3
POINTER = "CURRENT"
META = "catalogue.json"
TITLE_WORDS = 12  # characters per u64 of the title sort tuple (38**12 < 2**64)
# The characters of text.title_sort_key, in byte order ("{" starts a number, after letters).
_ALPHABET = {c: i + 1 for i, c in enumerate(" abcdefghijklmnopqrstuvwxyz{")}


class IndexBusy(TimeoutError):
    """Another writer kept the index locked for longer than ``lock_timeout``."""


def _folded_words() -> TextAnalyzerBuilder:
    """simple → remove_long(40) → lowercase → ascii_fold: the start of both analysers."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )


def french_analyser() -> tantivy.TextAnalyzer:
    """Folded words → French stop words → French stemmer."""
    return (
        _folded_words()
        .filter(Filter.custom_stopword(list(FRENCH_STOP_WORDS)))
        .filter(Filter.stemmer("french"))
        .build()
    )


def fold_analyser() -> tantivy.TextAnalyzer:
    """Whole words, folded: titles for prefix suggestions."""
    return _folded_words().build()


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="fr")
    sb.add_text_field("title_prefix", tokenizer_name="fold")
    for name in dict.fromkeys(list(FACET_FIELDS) + list(FACET_FIELDS.values())):
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_text_field("kw_suggest", tokenizer_name="raw", fast=True)
    sb.add_text_field("word_suggest", tokenizer_name="raw", fast=True)
    sb.add_text_field("group_key", stored=True, tokenizer_name="raw", fast=True)
    for name in ("year_start", "year_end", "year_span"):
        sb.add_integer_field(name, indexed=True, fast=True)
    for name in ("date", "tiebreak", "modified", *_title_fields()):
        sb.add_unsigned_field(name, indexed=True, fast=True)
    sb.add_text_field("sort_date", tokenizer_name="raw", fast=True)
    sb.add_text_field("sort_modified", tokenizer_name="raw", fast=True)
    sb.add_text_field("sort_title", tokenizer_name="raw", fast=True)
    sb.add_bytes_field("record", stored=True)
    return sb.build()


def _title_fields() -> list[str]:
    return [f"title{i}" for i in range(TITLE_SORT_CHARS // TITLE_WORDS)]


def _title_numbers(key: str) -> list[int]:
    """The title key as base-38 numbers, 12 characters each, ordered like the string."""
    padded = key.ljust(TITLE_SORT_CHARS, "\x1f")
    out = []
    for start in range(0, TITLE_SORT_CHARS, TITLE_WORDS):
        n = 0
        for ch in padded[start : start + TITLE_WORDS]:
            n = n * 38 + _ALPHABET.get(ch, 0)
        out.append(n)
    return out


# Keyset order of each non-relevance sort: numeric tuple fields (for "after" filters), the
# string fast field holding the same tuple + id (for tantivy's ordering), and the direction.
_SORTS = {
    "date": (["date", "tiebreak"], "sort_date", Order.Desc),
    "title": ([*_title_fields(), "tiebreak"], "sort_title", Order.Asc),
    "modified": (["modified", "tiebreak"], "sort_modified", Order.Desc),
}


def _sort_tuple(sort: str, record: dict[str, Any]) -> list[int]:
    """The record's position in a keyset order (computed like ``to_document`` does)."""
    date, title_key, tiebreak = sort_fields(record)
    if sort == "date":
        return [date, tiebreak]
    if sort == "modified":
        return [modified_seconds(record), tiebreak]
    return [*_title_numbers(title_key), tiebreak]


def _to_tantivy(doc: SearchDocument) -> Document:
    d = Document()
    d.add_text("id", doc.id)
    for name, values in (("title", doc.title), ("keywords", doc.keywords),
                         ("description", doc.description), ("extra", doc.extra),
                         ("title_prefix", doc.title)):
        for value in values:
            d.add_text(name, value)
    for group, values in doc.facets.items():
        for value in values:
            d.add_text(group, value)
    for group, values in doc.facet_labels.items():
        for value in values:
            d.add_text(FACET_FIELDS[group], value)
    for value in doc.keyword_suggest:
        d.add_text("kw_suggest", value)
    for value in doc.word_suggest:
        d.add_text("word_suggest", value)
    d.add_text("group_key", doc.group)
    if doc.interval is not None:
        d.add_integer("year_start", doc.interval[0])
        d.add_integer("year_end", doc.interval[1])
        d.add_integer("year_span", doc.interval[1] - doc.interval[0])
    d.add_unsigned("date", doc.date)
    d.add_unsigned("tiebreak", doc.tiebreak)
    d.add_unsigned("modified", doc.modified)
    d.add_text("sort_modified", f"{doc.modified:012d}{doc.tiebreak:016x}{doc.id}")
    for name, number in zip(_title_fields(), _title_numbers(doc.title_key), strict=True):
        d.add_unsigned(name, number)
    # Same order as the numeric tuples, plus the id: a unique key tantivy can sort on.
    d.add_text("sort_date", f"{doc.date:09d}{doc.tiebreak:016x}{doc.id}")
    d.add_text("sort_title", f"{doc.title_key.ljust(TITLE_SORT_CHARS, chr(31))}"
                             f"{doc.tiebreak:016x}{doc.id}")
    d.add_bytes("record", json.dumps(doc.record, ensure_ascii=False).encode())
    return d


def _shadow_dir(gen_dir: Path, why: Exception) -> str:
    """A directory of links to a generation's files, for reading an index whose own directory
    cannot be written (read-only mount, full disk): Tantivy must create its lock files
    somewhere, and only those go to the temporary directory; the segments are read in place."""
    shadow = Path(tempfile.mkdtemp(prefix="catalogue-index-ro-"))
    atexit.register(shutil.rmtree, shadow, True)  # only links and lock files: nothing to keep
    for entry in gen_dir.iterdir():
        if not entry.name.endswith(".lock"):
            (shadow / entry.name).symlink_to(entry)
    log.warning("search: %s cannot be locked (%s); reading it through %s", gen_dir, why, shadow)
    return str(shadow)


class TantivyIndex(SearchIndex):
    def __init__(
        self,
        path: Path | str,
        *,
        partner_labels: Mapping[str, str] | None = None,
        taxonomy: Taxonomy | None = None,
        heap_size: int = 64_000_000,
        rebuild_heap_size: int = 128_000_000,
        lock_timeout: float = 60.0,
    ) -> None:
        self.path = Path(path)
        self.taxonomy = taxonomy or Taxonomy(partner_labels)
        self.heap_size = heap_size
        self.rebuild_heap_size = rebuild_heap_size
        self.lock_timeout = lock_timeout
        self.schema = build_schema()
        self._fr = french_analyser()
        self._fold = fold_analyser()
        self._swap = threading.Lock()  # guards _gen/_index/_pointer_stat
        self._writing = threading.Lock()  # one writer per process; other processes: LockBusy
        self._gen: str | None = None
        self._index: tantivy.Index | None = None
        self._pointer_stat: tuple[int, int, int] | None = None
        self._seq_gen: str | None = None  # generation last_seq was read from
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self._current()
        except ValueError as exc:
            # A damaged live generation: reads fail (and say so) until `catalogue check --repair`
            # or `catalogue reindex` switches to a rebuilt one, which must stay possible.
            log.error("search: the live index at %s cannot be opened: %s", self.path, exc)

    # -- generations --------------------------------------------------------------------------

    def _open(self, gen_dir: Path) -> tantivy.Index:
        try:
            index = tantivy.Index.open(str(gen_dir))
        except ValueError as exc:
            if "Lockfile" not in str(exc):
                raise
            index = tantivy.Index.open(_shadow_dir(gen_dir, exc))
        # Custom analysers are not stored with the index: register them on every open.
        index.register_tokenizer("fr", self._fr)
        index.register_tokenizer("fold", self._fold)
        index.config_reader("manual")
        return index

    def _create(self, gen_dir: Path, last_seq: int = 0) -> None:
        gen_dir.mkdir(parents=True)
        tantivy.Index(self.schema, path=str(gen_dir))
        self._write_meta(gen_dir, {"analyser": ANALYSER_VERSION, "layout": LAYOUT_VERSION,
                                   "last_seq": last_seq})

    @contextlib.contextmanager
    def _dir_lock(self) -> Iterator[None]:
        with (self.path / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_pointer(self) -> str | None:
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.path / name / META).exists() else None

    def _write_pointer(self, name: str) -> None:
        tmp = self.path / f"{POINTER}.{os.getpid()}.tmp"
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, self.path / POINTER)

    def _new_gen_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"index-{stamp}"
        while (self.path / name).exists():
            time.sleep(0.001)
            name = f"index-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
        return name

    def _current(self) -> tuple[str, tantivy.Index]:
        """The live generation, reopened when another process or thread switched it."""
        try:
            st = os.stat(self.path / POINTER)
            stat: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stat = None
        with self._swap:
            if stat is not None and stat == self._pointer_stat and self._index is not None:
                assert self._gen is not None
                return self._gen, self._index
        name = self._read_pointer()
        if name is None:
            with self._dir_lock():
                name = self._read_pointer()
                if name is None:  # first use, or the live directory was removed
                    name = self._new_gen_name()
                    self._create(self.path / name)
                    self._write_pointer(name)
            st = os.stat(self.path / POINTER)
            stat = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._swap:
            if name != self._gen or self._index is None:
                self._index = self._open(self.path / name)
                self._gen = name
            self._pointer_stat = stat
            return name, self._index

    def _read_meta(self, gen: str | None = None) -> dict[str, Any]:
        gen = gen or self._current()[0]
        try:
            data = json.loads((self.path / gen / META).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_meta(self, gen_dir: Path, updates: dict[str, Any]) -> None:
        try:
            data = json.loads((gen_dir / META).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        data.update(updates)
        tmp = gen_dir / f"{META}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, gen_dir / META)

    @property
    def needs_rebuild(self) -> bool:
        meta = self._read_meta()
        return meta.get("analyser") != ANALYSER_VERSION or meta.get("layout") != LAYOUT_VERSION

    @property
    def last_seq(self) -> int:
        gen, _ = self._current()
        self._seq_gen = gen
        return int(self._read_meta(gen).get("last_seq") or 0)

    def set_last_seq(self, seq: int) -> None:
        """Save ``seq`` unless a rebuild switched generations since ``last_seq`` was read.

        Changes read from the old generation's position may have been written to either
        generation; not advancing makes the next sync read the new position and replay.
        """
        gen, _ = self._current()
        if self._seq_gen is not None and self._seq_gen != gen:
            log.info("search: index switched to %s during a sync; last_seq not advanced", gen)
            self._seq_gen = None
            return
        self._write_meta(self.path / gen, {"last_seq": int(seq)})

    # -- writing ------------------------------------------------------------------------------

    def _writer(self, index: tantivy.Index, heap_size: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                return index.writer(heap_size=heap_size, num_threads=threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"the search index at {self.path} stayed locked by another writer "
                        f"for {self.lock_timeout:.0f} s"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextlib.contextmanager
    def _write_session(
        self, index: tantivy.Index, heap_size: int, threads: int = 1, *, live: bool = True
    ) -> Iterator[Any]:
        # Writes to the live generation queue up inside this process instead of spinning on
        # LockBusy; a rebuild writes its own new directory and does not hold them up.
        with self._writing if live else contextlib.nullcontext():
            writer = self._writer(index, heap_size, threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        index.reload()

    def _documents(self, records: Iterable[dict[str, Any]]) -> Iterator[SearchDocument]:
        for record in records:
            try:
                yield to_document(record, self.taxonomy)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                rid = record.get("id") if isinstance(record, dict) else None
                log.warning("search: record %s not indexed: %s", rid, exc)

    def index(self, records: Iterable[dict[str, Any]]) -> int:
        _, index = self._current()
        n = 0
        with self._write_session(index, self.heap_size) as writer:
            for doc in self._documents(records):
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(_to_tantivy(doc))
                n += 1
        return n

    def delete(self, ids: Iterable[str]) -> None:
        _, index = self._current()
        with self._write_session(index, self.heap_size) as writer:
            for record_id in ids:
                writer.delete_documents_by_term("id", str(record_id))

    def rebuild(self, records: Iterable[dict[str, Any]], last_seq: int | None = None) -> int:
        name = self._new_gen_name()
        gen_dir = self.path / name
        try:
            self._create(gen_dir, last_seq or 0)
            index = self._open(gen_dir)
            n = 0
            threads = max(1, min(4, os.cpu_count() or 1, self.rebuild_heap_size // 32_000_000))
            with self._write_session(index, self.rebuild_heap_size, threads,
                                     live=False) as writer:
                for doc in self._documents(records):
                    writer.add_document(_to_tantivy(doc))
                    n += 1
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        with self._dir_lock():
            self._write_pointer(name)
            self._cleanup(name)
        self._current()
        return n

    def _cleanup(self, current: str) -> None:
        """Drop generations older than the previous one (a slow reader may still be on it).

        Newer directories are left alone: another process may be building one right now.
        """
        older = sorted(
            p.name for p in self.path.glob("index-*") if p.is_dir() and p.name < current
        )
        for name in older[:-1]:
            shutil.rmtree(self.path / name, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        for attempt in range(2):
            _, index = self._current()
            try:
                index.reload()
                return index.searcher()
            except (ValueError, OSError):
                if attempt:
                    raise
                with self._swap:  # the generation vanished under us: re-read the pointer
                    self._pointer_stat = None
        raise AssertionError("unreachable")

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def get(self, record_id: str) -> dict[str, Any] | None:
        searcher = self._searcher()
        result = searcher.search(Query.term_query(self.schema, "id", record_id), 1)
        if not result.hits:
            return None
        return self._record(searcher, result.hits[0][1])

    @staticmethod
    def _record(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(searcher.doc(address)["record"][0])
        return data

    def _text_query(self, plan: Plan) -> tuple[Query | None, set[str]]:
        """The clauses of the query: all required, or (relaxed) the most satisfied first."""
        terms: set[str] = set()
        for word in plan.expansion.terms():
            terms.update(self._fr.analyze(word))
        parts: list[tuple[Occur, Query]] = []
        for clause in plan.expansion.clauses:
            anywhere = self._clause(clause, TEXT_FIELDS)
            if anywhere is None:
                continue
            if not plan.relaxed or clause.strict:
                parts.append((Occur.Must, anywhere))
                continue
            parts.append((Occur.Should, Query.const_score_query(anywhere, COVER)))
            in_title = self._clause(clause, {"title": 1.0}, text_only=True)
            if in_title is not None:
                parts.append((Occur.Should, Query.const_score_query(in_title, TITLE_COVER)))
            parts.append((Occur.Should, anywhere))
        if not parts:
            return None, terms
        # Optional: changes the order, never the results (an exact form implies its stem).
        exact = [
            (Occur.Should, Query.boost_query(
                Query.term_query(self.schema, "title_prefix", form), EXACT_TITLE_BOOST))
            for form in dict.fromkeys(
                form for word in plan.parsed.words if not is_stop_word(word)
                for form in self._fold.analyze(word))
        ]
        core = Query.boolean_query(parts)
        # The boost must never add a record: in relaxed mode every part is optional.
        return Query.boolean_query([(Occur.Must, core), *exact]) if exact else core, terms

    def _clause(self, clause: Clause, fields: Mapping[str, float], *,
                text_only: bool = False) -> Query | None:
        """One clause: any of its alternatives (words, synonym, type, level, dates)."""
        options = []
        for alt in clause.text_alternatives if text_only else clause.alternatives:
            query = self._alternative(alt, fields)
            if query is not None:
                options.append((Occur.Should, query))
        if not options:
            return None
        return options[0][1] if len(options) == 1 else Query.boolean_query(options)

    def _alternative(self, alt: Alternative, fields: Mapping[str, float]) -> Query | None:
        query = self._unweighted(alt, fields)
        if query is None or alt.weight == 1.0:
            return query
        return Query.boost_query(query, alt.weight)

    def _unweighted(self, alt: Alternative, fields: Mapping[str, float]) -> Query | None:
        if alt.kind == "words":
            stems = list(dict.fromkeys(self._fr.analyze(" ".join(alt.words))))
            if not stems:
                return None
            queries = [self._across_fields([(0, stem)], fields) for stem in stems]
            return queries[0] if len(queries) == 1 else Query.boolean_query(
                [(Occur.Must, q) for q in queries])
        if alt.kind == "phrase":
            tokens = self._fr.pre_tokenize(" ".join(alt.words)).tokens
            if not tokens:
                return None
            first = tokens[0].position  # stop words leave gaps, kept in the phrase
            return self._across_fields([(t.position - first, t.text) for t in tokens], fields)
        if alt.kind == "dates":
            precise = Query.range_query(self.schema, "year_span", tantivy.FieldType.Integer,
                                        upper_bound=max_span(alt.start, alt.end))
            return Query.const_score_query(
                self._and([self._overlap(alt.start, alt.end), precise]), DATE_SCORE)
        field = alt.kind  # type, level, discipline: their facet fields
        return Query.const_score_query(
            Query.term_set_query(self.schema, field, list(alt.ids)), FACET_SCORE)

    def _overlap(self, start: int, end: int) -> Query:
        """Records whose year interval overlaps [start, end]."""
        return Query.boolean_query([
            (Occur.Must, Query.range_query(self.schema, "year_start", tantivy.FieldType.Integer,
                                           upper_bound=end)),
            (Occur.Must, Query.range_query(self.schema, "year_end", tantivy.FieldType.Integer,
                                           lower_bound=start)),
        ])

    def _across_fields(self, words: list[tuple[int, str]],
                       fields: Mapping[str, float] = TEXT_FIELDS) -> Query:
        """A term (one word) or a phrase, in any of ``fields``, boosted by field."""
        def one(field: str) -> Query:
            if len(words) == 1:
                return Query.term_query(self.schema, field, words[0][1])
            return Query.phrase_query(self.schema, field, list(words))

        return Query.boolean_query(
            [(Occur.Should, Query.boost_query(one(field), boost))
             for field, boost in fields.items()]
        )

    def _filter_query(self, group: str, values: tuple[str, ...]) -> Query:
        return Query.term_set_query(self.schema, group, list(values))

    @staticmethod
    def _and(parts: list[Query]) -> Query:
        if not parts:
            return Query.all_query()
        if len(parts) == 1:
            return parts[0]
        return Query.boolean_query([(Occur.Must, p) for p in parts])

    def search(self, query: SearchQuery) -> SearchResult:
        return forgiving.run(self._execute, make_plan(query, self.taxonomy), self.taxonomy)

    def _execute(self, plan: Plan) -> SearchResult:
        searcher = self._searcher()
        text, terms = self._text_query(plan)
        base: list[Query] = []
        if plan.has_text:  # words the analyser dropped entirely (40+ letters) match nothing
            base = [text if text is not None else Query.empty_query()]
        if plan.dates is not None:
            base.append(self._overlap(*plan.dates))
        if plan.modified is not None:
            base.append(Query.range_query(self.schema, "modified", tantivy.FieldType.Unsigned,
                                          lower_bound=plan.modified[0],
                                          upper_bound=plan.modified[1], include_upper=False))
        filters = {g: self._filter_query(g, v) for g, v in plan.filters.items()}
        main = self._and(base + list(filters.values()))
        if plan.group:
            hits, total, position = self._grouped_page(searcher, main, plan)
        elif plan.sort == "relevance":
            hits, total, position = self._relevance_page(searcher, main, plan)
        else:
            hits, total, position = self._keyset_page(searcher, main, plan)
        facets = self._facets(searcher, base, filters, plan) if plan.facets else {}
        shown = [self._hit(searcher, addr, score, terms if plan.highlight else set())
                 for score, addr in hits]
        groups = None
        if plan.group:
            shown = self._group_sizes(searcher, main, shown)
            groups = int(searcher.cardinality(main, "group_key")) if total else 0
        next_cursor = encode_cursor(plan, position) if position is not None else None
        return SearchResult(total, shown, facets, next_cursor, groups=groups)

    def _grouped_page(
        self, searcher: tantivy.Searcher, main: Query, plan: Plan
    ) -> tuple[list[tuple[float | None, Any]], int, list[Any] | None]:
        """One hit per series title, in the usual order, over the first GROUP_WINDOW records."""
        window = min(GROUP_WINDOW, (plan.offset + plan.per_page) * 4 + 20)
        if plan.sort == "relevance":
            result = searcher.search(main, window, count=True)
        else:
            sort_field, order = _SORTS[plan.sort][1:]
            result = searcher.search(main, window, count=True, order_by_field=sort_field,
                                     order=order)
        heads: dict[str, tuple[float | None, Any]] = {}
        for score, addr in result.hits:
            key = str(searcher.doc(addr)["group_key"][0])
            if key not in heads:
                heads[key] = (float(score) if plan.sort == "relevance" else None, addr)
        page = list(heads.values())[plan.offset : plan.offset + plan.per_page]
        return page, _total(result), None

    def _group_sizes(self, searcher: tantivy.Searcher, main: Query, hits: list[Hit]) -> list[Hit]:
        keys = [group_key(h.record) for h in hits]
        if not keys:
            return hits
        scope = self._and([main, Query.term_set_query(self.schema, "group_key", keys)])
        counts = _buckets(searcher.aggregate(scope, {"g": {"terms": {
            "field": "group_key", "size": len(keys)}}})).get("g", {})
        return [dataclasses.replace(h, group_key=k, group_size=counts.get(k, 1))
                for h, k in zip(hits, keys, strict=True)]

    def _relevance_page(
        self, searcher: tantivy.Searcher, main: Query, plan: Plan
    ) -> tuple[list[tuple[float | None, Any]], int, list[Any] | None]:
        """Score order; the cursor holds an offset (scores cannot be range-filtered here)."""
        offset = plan.offset
        if plan.after is not None:
            if (plan.after[0] != "o" or len(plan.after) != 2 or not isinstance(plan.after[1], int)
                    or not 0 <= plan.after[1] <= MAX_CURSOR_OFFSET):
                raise InvalidQuery("invalid cursor")
            offset = plan.after[1]
        result = searcher.search(main, plan.per_page + 1, count=True, offset=offset)
        hits = [(float(score), addr) for score, addr in result.hits]
        more = len(hits) > plan.per_page
        hits = hits[: plan.per_page]
        position = ["o", offset + len(hits)] if more else None
        return list(hits), _total(result), position

    def _keyset_page(
        self, searcher: tantivy.Searcher, main: Query, plan: Plan
    ) -> tuple[list[tuple[float | None, Any]], int, list[Any] | None]:
        """Date or title order, on a unique key (sort tuple + id): each record once per walk."""
        fields, sort_field, order = _SORTS[plan.sort]
        if plan.after is None:
            result = searcher.search(main, plan.per_page + 1, count=True,
                                     order_by_field=sort_field, order=order, offset=plan.offset)
            total = _total(result)
            addresses = [addr for _, addr in result.hits]
        else:
            last, last_id = self._decode_position(plan.after, len(fields))
            total = _total(searcher.search(main, 1, count=True))
            addresses = self._ties_after(searcher, main, fields, last, last_id, order)
            if len(addresses) <= plan.per_page:
                after = self._after_query(fields, last, order)
                result = searcher.search(self._and([main, after]), plan.per_page + 1,
                                         order_by_field=sort_field, order=order)
                addresses += [addr for _, addr in result.hits]
        more = len(addresses) > plan.per_page
        addresses = addresses[: plan.per_page]
        position = None
        if more and addresses:
            record = self._record(searcher, addresses[-1])
            position = ["k", *_sort_tuple(plan.sort, record), str(record["id"])]
        return [(None, a) for a in addresses], total, position

    @staticmethod
    def _decode_position(after: list[Any], size: int) -> tuple[list[int], str]:
        if (after[0] != "k" or len(after) != size + 2 or not isinstance(after[-1], str)
                or not all(isinstance(v, int) and 0 <= v < 2**64 for v in after[1:-1])):
            raise InvalidQuery("invalid cursor")
        return list(after[1:-1]), after[-1]

    def _ties_after(
        self, searcher: tantivy.Searcher, main: Query, fields: list[str], last: list[int],
        last_id: str, order: Order,
    ) -> list[Any]:
        """Records with exactly the cursor's sort tuple but a later id (almost always none)."""
        same = self._and([main, *[Query.term_query(self.schema, f, v)
                                  for f, v in zip(fields, last, strict=True)]])
        result = searcher.search(same, 1_000)
        tied = [(self._id(searcher, addr), addr) for _, addr in result.hits]
        if order == Order.Asc:
            tied = sorted((t for t in tied if t[0] > last_id), key=lambda t: t[0])
        else:
            tied = sorted((t for t in tied if t[0] < last_id), key=lambda t: t[0], reverse=True)
        return [addr for _, addr in tied]

    @staticmethod
    def _id(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
        return str(searcher.doc(address)["id"][0])

    def _after_query(self, fields: list[str], last: list[int], order: Order) -> Query:
        """Tuples strictly after ``last``: (f1 > a1) or (f1 = a1 and f2 > a2) or …"""
        branches = []
        for j, field in enumerate(fields):
            equal = [Query.term_query(self.schema, f, v)
                     for f, v in zip(fields[:j], last[:j], strict=True)]
            if order == Order.Asc:
                beyond = Query.range_query(self.schema, field, tantivy.FieldType.Unsigned,
                                           lower_bound=last[j], include_lower=False)
            else:
                beyond = Query.range_query(self.schema, field, tantivy.FieldType.Unsigned,
                                           upper_bound=last[j], include_upper=False)
            branches.append(self._and([*equal, beyond]))
        return Query.boolean_query([(Occur.Should, b) for b in branches])

    def _facets(
        self, searcher: tantivy.Searcher, base: list[Query], filters: dict[str, Query],
        plan: Plan,
    ) -> dict[str, list[FacetValue]]:
        """Disjunctive counts: each group counted under every filter except its own."""
        aggs = {g: facet_terms(g) for g in FACET_GROUPS}
        buckets: dict[str, dict[str, int]] = {}
        free = {g: aggs[g] for g in FACET_GROUPS if g not in filters}
        if free:
            main = self._and(base + list(filters.values()))
            buckets.update(_buckets(searcher.aggregate(main, free)))
        for group in filters:
            others = [q for g, q in filters.items() if g != group]
            buckets.update(
                _buckets(searcher.aggregate(self._and(base + others), {group: aggs[group]}))
            )
        return {
            g: self.taxonomy.facet_values(g, buckets.get(g, {}), plan.filters.get(g, ()))
            for g in FACET_GROUPS
        }

    def _hit(
        self, searcher: tantivy.Searcher, address: tantivy.DocAddress, score: float | None,
        terms: set[str],
    ) -> Hit:
        record = self._record(searcher, address)
        title = text_of(record.get("title"))
        description = text_of(record.get("description"))
        return Hit(
            id=str(record["id"]),
            record=record,
            score=score,
            title_html=mark_html(title, self._spans(title, terms)),
            snippet_html=snippet_html(description, self._spans(description, terms)),
        )

    def _spans(self, text: str, terms: set[str]) -> list[tuple[int, int]]:
        if not terms or not text:
            return []
        return [(t.char_offset_from, t.char_offset_to)
                for t in self._fr.pre_tokenize(text).tokens if t.text in terms]

    # -- suggestions --------------------------------------------------------------------------

    def top_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        if field not in ("word_suggest", "kw_suggest"):
            raise ValueError(f"not a suggestion field: {field}")
        found = self._searcher().terms_with_prefix(field, prefix, limit=limit)
        return [(str(term), int(count)) for term, count in found]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        prefix = user_text(prefix, 100)
        key = fold_key(prefix)
        if not key or limit <= 0:
            return []
        searcher = self._searcher()
        concepts: list[Suggestion] = []
        for kind, concept_id, label in self.taxonomy.concept_candidates(prefix):
            if _total(searcher.search(Query.term_query(self.schema, kind, concept_id), 1)):
                concepts.append(Suggestion(strip_qualifiers(label), kind,  # type: ignore[arg-type]
                                           concept_id))
        terms = suggest.words(self.top_terms("word_suggest", key, 50))
        keywords = [
            Suggestion(split_label(term)[1] or term, "keyword")
            for term, _ in self.top_terms("kw_suggest", key, 50)
        ]
        titles: list[Suggestion] = []
        words: list[str | tuple[int, str]] = list(self._fold.analyze(prefix))
        if words:
            if prefix[-1:].isspace():
                query = (Query.phrase_query(self.schema, "title_prefix", words) if len(words) > 1
                         else Query.term_query(self.schema, "title_prefix", str(words[0])))
            elif len(words) == 1:  # phrase_prefix needs two terms
                query = Query.regex_query(self.schema, "title_prefix",
                                          re.escape(str(words[0])) + ".*")
            else:
                query = Query.phrase_prefix_query(self.schema, "title_prefix", words)
            for _, addr in searcher.search(query, 4 * limit).hits:
                record = self._record(searcher, addr)
                text = suggest.clean_title(text_of(record.get("title")))
                if text:
                    titles.append(Suggestion(text, "title", str(record["id"])))
        return suggest.merge_suggestions(
            [concepts, terms, suggest.periods(self, prefix), keywords, titles], limit)

    def close(self) -> None:
        with self._swap:
            self._index = None
            self._gen = None
            self._pointer_stat = None


def _total(result: tantivy.SearchResult) -> int:
    # ``count`` exists when the search asked for it; the type stubs do not declare it.
    return int(getattr(result, "count", 0) or 0)


def _buckets(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {str(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
        for name, agg in result.items()
    }
