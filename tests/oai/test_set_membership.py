"""Set membership = setSpecs, as a property: after any catalogue, walking every set of ListSets,
each header a set returns lists that set or a descendant, and a record listed under a setSpec
(or a descendant of it) is returned by that set. Both come from ``SetRegistry``."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.store import Store
from schemas.vocabularies import load_vocabulary
from tests.oai.conftest import make_app
from tests.oai.set_walk import check_every_set, in_app, list_set
from tests.oai.support import LABELS, add_sources, make_record, write

_counter = itertools.count()


def _concepts() -> tuple[list[str], list[str]]:
    """Level ids, and discipline ids of three kinds: the disciplines themselves, programme
    topics under a discipline, and topics the vocabulary puts under none (their facet row has
    no discipline set: the case that made ``set=discipline`` lie)."""
    vocab = load_vocabulary()
    disciplines = {c.id for c in vocab.disciplines()}
    topics = [c.id for c in vocab.all_concepts("015") if c.id not in disciplines]
    parented = [c for c in topics if vocab.discipline_of(c) is not None][:15]
    orphans = [c for c in topics if vocab.discipline_of(c) is None][:15]
    levels = [c.id for c in vocab.levels()][::6]
    for cid in [*levels, *disciplines, *parented, *orphans]:
        concept = vocab.concept(cid)
        LABELS.setdefault(cid, concept.label if concept else cid)
    return levels, sorted(disciplines) + parented + orphans


LEVELS, DISCIPLINES = _concepts()

records = st.lists(
    st.tuples(st.sampled_from(["bnf", "ina"]),
              st.lists(st.sampled_from(LEVELS), max_size=2, unique=True),
              st.lists(st.sampled_from(DISCIPLINES), max_size=2, unique=True)),
    min_size=1, max_size=4)


@pytest.fixture(scope="module")
def catalogue() -> Iterator[tuple[Store, Flask]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'catalogue.db'}"
        store = Store(url)
        store.upgrade()
        add_sources(store)
        app = make_app(url, Path(tmp), oai_identifiers_page_size=10_000)
        yield store, app
        app.extensions["catalogue"].store.close()
        store.close()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=records)
def test_set_membership_is_the_headers_setspecs(catalogue: tuple[Store, Flask],
                                                batch: list[tuple[str, list[str], list[str]]]) -> None:
    store, app = catalogue
    made = []
    for partner, levels, disciplines in batch:
        source = "bnf-gallica" if partner == "bnf" else "ina-jalons"
        made.append(make_record(f"r{next(_counter)}", "Ressource", partner=partner, source=source,
                                levels=tuple(levels), disciplines=tuple(disciplines)))
    write(store, made)
    check_every_set(in_app(app))


def test_a_topic_under_no_discipline_is_in_the_discipline_set(catalogue: tuple[Store, Flask]) -> None:
    """The case of the issue: a record whose only discipline is a topic that no discipline set
    holds is returned by set=discipline, so its header must say so."""
    store, app = catalogue
    orphan = DISCIPLINES[-1]
    record = make_record(f"orphan{next(_counter)}", "Sujet", disciplines=(orphan,))
    write(store, [record])
    headers = list_set(in_app(app), "discipline")
    own = headers[f"oai:catalogue.education.fr:{record['id']}"]
    assert "discipline" in own
    check_every_set(in_app(app))
