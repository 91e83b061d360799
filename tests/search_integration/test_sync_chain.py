"""The index follows the partners: harvest over HTTP, store, ``sync``, then search."""

from __future__ import annotations

from schemas.record import record_id
from search import SearchQuery
from search.base import SearchIndex
from tests.search_integration.conftest import Chain

CATANIA = "oai:bnf.fr:gallica/ark:/12148/btv1b65002314"  # "Explication du plan de Catania"
EGYPT = "oai:bnf.fr:gallica/ark:/12148/bpt6k852111"  # "Voyages en Égypte et en Nubie… [Volume 2"
RPG = "IGNF_RPG"
NIVO = "68243ea47db32bb739936ef7"  # "Données nivologiques"


def indexed_ids(index: SearchIndex) -> list[str]:
    """Every id in the index, walking the date order with the cursor."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = index.search(SearchQuery(sort="date", per_page=100, cursor=cursor, facets=False,
                                        highlight=False))
        ids += [hit.id for hit in page.hits]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def ids_for(index: SearchIndex, q: str) -> list[str]:
    # Every word (match="all"): these tests check which records hold the words, not partial matches.
    query = SearchQuery(q=q, per_page=100, facets=False, match="all")
    return [hit.id for hit in index.search(query).hits]


def test_index_holds_exactly_the_live_records_after_harvest_and_sync(chain: Chain) -> None:
    env = chain.env
    for source_id in env.sources:
        assert env.harvest(source_id).status in ("done", "done-with-errors"), source_id
    assert chain.sync() == env.store.max_seq()  # a new index applies every change once
    live = {r.id for r in env.store.iter_records()}
    assert len(live) == env.store.count_records() >= 128
    assert chain.index.count() == len(live)
    walked = indexed_ids(chain.index)
    assert len(walked) == len(set(walked)) and set(walked) == live
    assert chain.index.last_seq == env.store.max_seq()
    facets = {v.id: v.count for v in chain.index.search(SearchQuery()).facets["partner"]}
    assert facets == {"bnf": env.store.count_records("bnf-gallica"),
                      "ign": env.store.count_records("ign-geoplateforme"),
                      "meteofrance": env.store.count_records("meteofrance-datagouv"),
                      "ina": env.store.count_records("ina-jalons")}
    # Harvesting again changes nothing, and the next sync has nothing to apply.
    assert env.harvest("bnf-gallica", full=True).counts["updated"] == 0
    assert chain.sync() == 0


def test_record_deleted_at_the_partner_leaves_search(chain: Chain) -> None:
    env = chain.env
    env.harvest("bnf-gallica")
    chain.sync()
    rid = record_id("bnf-gallica", CATANIA)
    before = chain.index.count()
    assert rid in ids_for(chain.index, "Catania") and chain.index.get(rid) is not None

    env.simulator.delete_record("bnf", CATANIA)
    result = env.harvest("bnf-gallica")
    assert result.counts["deleted"] == 1
    assert chain.index.get(rid) is not None  # the index only moves on sync
    assert chain.sync() == 1
    assert chain.index.get(rid) is None
    assert ids_for(chain.index, "Catania") == []
    assert ids_for(chain.index, "plan de Catane") == []
    assert chain.index.count() == before - 1 == env.store.count_records()
    partner = {v.id: v.count for v in chain.index.search(SearchQuery()).facets["partner"]}
    assert partner["bnf"] == before - 1


def test_record_deleted_by_absence_leaves_search(chain: Chain) -> None:
    """Météo-France's API has no deletions: two full harvests without the record remove it."""
    env = chain.env
    env.harvest("meteofrance-datagouv", full=True)
    chain.sync()
    rid = record_id("meteofrance-datagouv", NIVO)
    assert ids_for(chain.index, "nivologie") == [rid]
    env.simulator.delete_record("meteofrance", NIVO)
    env.harvest("meteofrance-datagouv", full=True)
    chain.sync()
    assert ids_for(chain.index, "nivologie") == [rid]  # one miss is within the grace
    env.harvest("meteofrance-datagouv", full=True)
    chain.sync()
    assert ids_for(chain.index, "nivologie") == []
    assert chain.index.count() == env.store.count_records()


def test_record_changed_at_the_partner_shows_its_new_title(chain: Chain) -> None:
    env = chain.env
    for source_id in ("bnf-gallica", "ign-geoplateforme"):
        env.harvest(source_id)
    chain.sync()
    egypt, rpg = record_id("bnf-gallica", EGYPT), record_id("ign-geoplateforme", RPG)
    assert egypt in ids_for(chain.index, "Nubie")

    env.simulator.update_record("bnf", EGYPT, title="Les volcans d'Auvergne expliqués aux élèves")
    env.simulator.update_record("ign", RPG, title="Registre des parcelles agricoles (édition 2024)")
    assert env.harvest("bnf-gallica").counts["updated"] == 1
    assert env.harvest("ign-geoplateforme").counts["updated"] == 1
    assert chain.sync() == 2

    hits = chain.index.search(SearchQuery(q="volcans auvergne")).hits
    assert [h.id for h in hits] == [egypt]
    assert hits[0].record["title"][0]["value"] == "Les volcans d'Auvergne expliqués aux élèves"
    assert "<mark>volcans</mark>" in hits[0].title_html
    stored = chain.index.get(egypt)
    assert stored is not None and stored["title"][0]["value"].startswith("Les volcans")
    # The old title is gone: only the twin volume 1 still answers to it.
    twin = record_id("bnf-gallica", "oai:bnf.fr:gallica/ark:/12148/bpt6k85210p")
    assert ids_for(chain.index, "Voyages en Égypte et en Nubie") == [twin]
    top = chain.index.search(SearchQuery(q="parcelles agricoles 2024")).hits
    assert top and top[0].id == rpg and "2024" in top[0].record["title"][0]["value"]
    assert chain.index.count() == env.store.count_records()
