"""A small French catalogue for the UI tests: four partners, a few dozen records, real ScoLOMFR ids.

Records go through the real store (``Store.write_page``, with the pipeline's facet expansion)
and the real index (``search.sync.sync``), so the pages are tested against what production
serves. Thumbnails point at ``https://images.example.org/`` (never fetched: these tests use the
Flask test client). The browser tests run on the demo catalogue: ``tests/demo/test_browser.py``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from catalogue.config import Settings
from catalogue.pipeline import Mapper
from catalogue.store import RawEntry, RunItem, Store, Write
from schemas.record import record_id, validate_record

BASE_URL = "https://catalogue.example.fr"
THUMBS = "https://images.example.org/"

L = {  # voc-022 levels
    "CP": "scolomfr-voc-022-num-010", "CE1": "scolomfr-voc-022-num-011", "CE2": "scolomfr-voc-022-num-013",
    "CM1": "scolomfr-voc-022-num-014", "CM2": "scolomfr-voc-022-num-015", "6e": "scolomfr-voc-022-num-018",
    "5e": "scolomfr-voc-022-num-020", "4e": "scolomfr-voc-022-num-021", "3e": "scolomfr-voc-022-num-023",
    "2de": "scolomfr-voc-022-num-136", "1re": "scolomfr-voc-022-num-123", "Tle": "scolomfr-voc-022-num-088",
}
D = {  # voc-015 disciplines
    "hg": "scolomfr-voc-015-num-980", "maths": "scolomfr-voc-015-num-919", "svt": "scolomfr-voc-015-num-1832",
    "pc": "scolomfr-voc-015-num-1831", "fr": "scolomfr-voc-015-num-1333", "st": "scolomfr-voc-015-num-1833",
    "emc": "scolomfr-voc-015-num-1548", "lv": "scolomfr-voc-015-num-1430",
    "musique": "scolomfr-voc-015-num-1200",
    "qlm": "scolomfr-voc-015-num-968", "techno": "scolomfr-voc-015-num-1834",
    "histoire-cm2": "scolomfr-voc-015-num-986", "geo-6e": "scolomfr-voc-015-num-1002",
}
TYPES = {
    "texte": "http://purl.org/dc/dcmitype/Text", "image fixe": "http://purl.org/dc/dcmitype/StillImage",
    "image en mouvement": "http://purl.org/dc/dcmitype/MovingImage",
    "ensemble de données": "http://purl.org/dc/dcmitype/Dataset", "son": "http://purl.org/dc/dcmitype/Sound",
}
LICENCES = {
    "lo": {"code": "lo-2.0", "label": "Licence Ouverte 2.0",
           "uri": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
    "pd": {"code": "public-domain", "label": "Domaine public", "uri": None},
    "bysa": {"code": "cc-by-sa-4.0", "label": "CC BY-SA 4.0", "uri": "https://creativecommons.org/licenses/by-sa/4.0/"},
    "byncnd": {"code": "cc-by-nc-nd-4.0", "label": "CC BY-NC-ND 4.0",
               "uri": "https://creativecommons.org/licenses/by-nc-nd/4.0/"},
    "specific": {"code": "specific", "label": "Conditions spécifiques d'utilisation", "uri": None},
}
SOURCES = {
    "bnf": ("bnf-gallica", "Gallica — ressources pédagogiques", "oai-pmh", "https://gallica.bnf.fr/services/OAIRecord"),
    "ina": ("ina-jalons", "INA Jalons", "jalons", "https://fresques.ina.fr/jalons/feed"),
    "ign": ("ign-geoportail", "Géoportail — éducation", "csw", "https://data.geopf.fr/csw"),
    "meteofrance": ("meteofrance-donnees", "Météo-France — données publiques", "dcat",
                    "https://meteo.data.gouv.fr/catalog.jsonld"),
}
PARTNER_NAMES = {"bnf": "BnF / Gallica", "ina": "INA", "ign": "IGN", "meteofrance": "Météo-France"}

# Where the values of a few records come from (every other value is "source"): what the content
# layer writes for an inferred value, a Dewey class mapped by rule, a partner default.
INFERRED_BASIS = "programme:scolomfr-voc-015-num-3075;words=révolution,1789;period=1789/1815;score=0.83"

XSS_TITLE = "Volcans <script>window.__pwned=1</script> d'Islande"
XSS_DESCRIPTION = 'Les volcans islandais <img src=x onerror="window.__pwned=1"> et leurs éruptions.'
XSS_KEYWORD = "<script>window.__pwned=1</script>"

# (partner, identifier, title, description, levels, disciplines, type, licence, extra)
RECORDS: list[tuple[str, str, str, str, list[str], list[str], str, str, dict[str, Any]]] = [
    ("bnf", "ark:/12148/ddhc1789", "La Déclaration des droits de l'homme et du citoyen de 1789",
     "Texte intégral et estampe de la Déclaration adoptée par l'Assemblée nationale constituante "
     "en août 1789.",
     ["4e"], ["hg", "emc"], "texte", "lo",
     {"thumb": True, "created": ("1789-08-26", "1789-08-26", "26 août 1789"),
      "origins": {"4e": ("inferred", INFERRED_BASIS), "hg": ("rule", "dewey:944"),
                  "emc": ("default", "source-default")}}),
    ("bnf", "ark:/12148/bastille", "Gravures de la prise de la Bastille",
     "Estampes du 14 juillet 1789 : la foule, les gardes françaises et la forteresse assiégée.",
     ["CM1"], ["hg"], "image fixe", "pd", {"thumb": True, "created": ("1789", "1790", "1789-1790"),
                                           "origins": {"CM1": ("default", "source-default")}}),
    ("bnf", "ark:/12148/cassini", "Carte de Cassini : la France au XVIIIe siècle",
     "Première carte générale et particulière du royaume de France, levée par la famille Cassini.",
     ["4e", "2de"], ["hg"], "image fixe", "lo", {"places": ["France"]}),
    ("bnf", "ark:/12148/fables", "Les Fables de La Fontaine illustrées",
     "Édition illustrée des Fables, avec les gravures de Gustave Doré. Lecture et étude de la morale.",
     ["CM2", "6e"], ["fr"], "texte", "pd", {"author": "Jean de La Fontaine"}),
    ("bnf", "ark:/12148/tourdefrance", "Le Tour de la France par deux enfants",
     "Le manuel de lecture courante de G. Bruno, qui fit découvrir la France à des générations d'élèves.",
     ["CM1", "CM2"], ["fr", "histoire-cm2"], "texte", "pd", {"author": "G. Bruno"}),
    ("bnf", "ark:/12148/miserables", "Victor Hugo, Les Misérables : le manuscrit",
     "Feuillets du manuscrit autographe des Misérables, avec les corrections de l'auteur.",
     ["4e", "3e"], ["fr"], "texte", "lo", {"author": "Victor Hugo", "thumb": True}),
    ("bnf", "ark:/12148/affiches1418", "Affiches de la Grande Guerre",
     "Affiches de propagande et d'emprunt national de la Première Guerre mondiale.",
     ["CM2", "3e"], ["histoire-cm2", "hg"], "image fixe", "lo", {"thumb": True}),
    ("bnf", "ark:/12148/flammarion", "L'Astronomie populaire de Camille Flammarion",
     "Planches d'astronomie du XIXe siècle : le système solaire, les éclipses et les phases de la Lune.",
     ["6e"], ["st"], "texte", "pd", {}),
    ("bnf", "ark:/12148/volcansauvergne", "Les volcans d'Auvergne, planches du XIXe siècle",
     "Gravures géologiques de la chaîne des Puys : cratères, coulées de lave et volcans éteints.",
     ["5e"], ["svt"], "image fixe", "bysa", {"thumb": True, "places": ["Auvergne", "Chaîne des Puys"]}),
    ("bnf", "ark:/12148/debussy", "Partitions de Claude Debussy",
     "Manuscrits musicaux de Debussy : La Mer, Clair de lune. Écoute et analyse.",
     ["4e"], ["musique"], "son", "pd", {"author": "Claude Debussy"}),
    ("ina", "jalons/veil1974", "Le discours de Simone Veil à l'Assemblée nationale",
     "Le 26 novembre 1974, Simone Veil présente le projet de loi sur l'interruption volontaire de grossesse.",
     ["1re", "Tle"], ["emc", "hg"], "image en mouvement", "specific", {"duration": 754, "thumb": True}),
    ("ina", "jalons/fournaise", "L'éruption du Piton de la Fournaise",
     "Reportage sur une éruption du volcan réunionnais : fontaines de lave et coulées vers l'océan.",
     ["5e", "4e"], ["svt"], "image en mouvement", "specific", {"duration": 185, "places": ["La Réunion"]}),
    ("ina", "jalons/lune1969", "Le premier pas sur la Lune",
     "Retransmission du 21 juillet 1969 : Neil Armstrong pose le pied sur la Lune.",
     ["CM2", "3e"], ["hg", "st"], "image en mouvement", "specific", {"duration": 312}),
    ("ina", "jalons/liberation", "La libération de Paris, août 1944",
     "Images d'archives de la libération de Paris et du discours du général de Gaulle à l'Hôtel de Ville.",
     ["3e"], ["hg"], "image en mouvement", "specific", {"duration": 420, "thumb": True}),
    ("ina", "jalons/cycleeau", "Le cycle de l'eau expliqué aux enfants",
     "Évaporation, condensation, précipitations : un film d'animation pour comprendre le cycle de l'eau.",
     ["CE2", "CM1"], ["qlm", "st"], "image en mouvement", "byncnd", {"duration": 240}),
    ("ina", "jalons/tunnel", "La construction du tunnel sous la Manche",
     "Reportage sur le chantier du tunnel : tunneliers, jonction de 1990 et ouverture en 1994.",
     ["4e"], ["techno"], "image en mouvement", "specific", {"duration": 300}),
    ("ina", "jalons/tri", "Le tri des déchets à l'école",
     "Des élèves de CP apprennent à trier les déchets et à réduire le gaspillage à la cantine.",
     ["CP", "CE1"], ["qlm", "emc"], "image en mouvement", "byncnd", {"duration": 150}),
    ("ina", "jalons/cousteau", "Entretien avec Jacques-Yves Cousteau",
     "Le commandant Cousteau raconte l'exploration des océans et la protection des espèces marines.",
     ["6e"], ["svt"], "image en mouvement", "specific", {"duration": 600}),
    ("ign", "ign/montblanc", "Carte topographique du massif du Mont-Blanc",
     "Carte au 1:25 000 du massif du Mont-Blanc : courbes de niveau, glaciers et refuges.",
     ["5e", "2de"], ["hg"], "image fixe", "lo",
     {"thumb": True, "bbox": {"west": 6.75, "south": 45.78, "east": 7.05, "north": 45.95},
      "places": ["Mont-Blanc"]}),
    ("ign", "ign/littoral", "Photographies aériennes : l'évolution du littoral",
     "Comparer des photographies aériennes de 1950 à aujourd'hui pour observer l'érosion du littoral.",
     ["6e"], ["geo-6e"], "image fixe", "lo", {"thumb": True, "temporal": ("1950", "2020", "1950-2020")}),
    ("ign", "ign/plan", "Se repérer sur un plan de ville",
     "Activités pour apprendre à lire un plan, utiliser une légende et se déplacer dans un quartier.",
     ["CE1", "CE2"], ["qlm", "maths"], "texte", "lo", {}),
    ("ign", "ign/departements", "Les départements français : carte muette",
     "Carte muette des départements à compléter, avec les préfectures et les régions.",
     ["CM1"], ["hg"], "image fixe", "lo", {}),
    ("ign", "ign/relief", "Relief et hydrographie de la France",
     "Carte du relief et des grands fleuves français : massifs, plaines et bassins versants.",
     ["6e", "2de"], ["hg"], "image fixe", "lo", {"thumb": True}),
    ("ign", "ign/echelle", "Mesurer des distances sur une carte",
     "Utiliser l'échelle d'une carte pour calculer des distances réelles : exercices progressifs.",
     ["CM2", "6e"], ["maths"], "texte", "lo", {}),
    ("ign", "ign/corine", "Occupation du sol en France (Corine Land Cover)",
     "Jeu de données sur l'occupation du sol : forêts, zones agricoles, espaces urbanisés.",
     ["2de"], ["hg", "svt"], "ensemble de données", "lo", {}),
    ("meteofrance", "mf/normales", "Normales climatiques : températures en France",
     "Températures moyennes mensuelles de 1991 à 2020 pour les stations de métropole et d'outre-mer.",
     ["5e", "2de"], ["hg", "pc"], "ensemble de données", "lo", {"temporal": ("1991", "2020", "1991-2020")}),
    ("meteofrance", "mf/nuages", "Comprendre la formation des nuages",
     "Fiche pédagogique et expériences simples sur la condensation et les différents types de nuages.",
     ["CM1", "CM2", "6e"], ["st"], "texte", "lo", {"thumb": True}),
    ("meteofrance", "mf/orages", "Les orages et la foudre",
     "Comment se forme un orage ? Électricité atmosphérique, éclairs et règles de sécurité.",
     ["4e"], ["pc"], "texte", "lo", {}),
    ("meteofrance", "mf/climat", "Le changement climatique en France : indicateurs",
     "Évolution des températures, des vagues de chaleur et de l'enneigement depuis 1900.",
     ["1re"], ["svt", "emc"], "ensemble de données", "lo", {}),
    ("meteofrance", "mf/station", "Construire une station météo au collège",
     "Projet de technologie : capteurs de température, de pression et de vent, relevés et graphiques.",
     ["5e"], ["techno", "pc"], "texte", "bysa", {}),
    ("meteofrance", "mf/vigilance", "Lire une carte de vigilance météo",
     "Les couleurs de la vigilance, les phénomènes dangereux et les bons comportements.",
     ["CM2"], ["emc", "hg"], "image fixe", "lo", {}),
    ("meteofrance", "mf/canicule2003", "La canicule de 2003",
     "Records de chaleur de l'été 2003 et conséquences sanitaires : une étude de cas.",
     ["3e"], ["svt"], "ensemble de données", "lo", {}),
    ("ina", "jalons/eiffel", "The building of the Eiffel Tower",
     "Archive footage of the construction of the Eiffel Tower for the 1889 World's Fair.",
     ["3e"], ["lv"], "image en mouvement", "specific", {"lang": "en", "duration": 200}),
    ("bnf", "ark:/12148/nadar", "Fonds photographique Nadar",
     "Portraits photographiques de l'atelier Nadar : écrivains, artistes et personnalités du XIXe siècle.",
     [], [], "image fixe", "pd", {}),
]


def ids() -> dict[str, str]:
    """identifier -> record id, for tests that open a known resource."""
    out = {ident: record_id(SOURCES[partner][0], ident) for partner, ident, *_ in RECORDS}
    out["xss"] = record_id(SOURCES["bnf"][0], "ark:/12148/xss")
    out["deleted"] = record_id(SOURCES["ina"][0], "jalons/retire")
    return out


def _aligned(concept_id: str, vocab: Any, origin: tuple[str, str] | None) -> dict[str, Any]:
    provenance, basis = origin or ("source", None)
    return {"id": concept_id, "label": vocab.concept(concept_id).label, "provenance": provenance,
            "basis": basis}


def _record(partner: str, ident: str, title: str, description: str, levels: list[str],
            disciplines: list[str], rtype: str, licence: str, extra: dict[str, Any],
            vocab: Any) -> dict[str, Any]:
    source_id = SOURCES[partner][0]
    lang = extra.get("lang", "fr")
    rid = record_id(source_id, ident)
    slug = ident.rsplit("/", 1)[-1]
    data: dict[str, Any] = {
        "id": rid,
        "source": {"partner": partner, "source_id": source_id, "identifier": ident,
                   "landing_url": f"https://{partner}.example.org/{slug}",
                   "datestamp": "2024-05-02T10:00:00Z", "harvested_at": "2025-01-15T08:30:00Z"},
        "title": [{"value": title, "lang": lang}],
        "description": [{"value": description, "lang": lang}],
        "keywords": [{"value": w, "lang": lang}
                     for w in title.lower().replace(",", "").split()[:3] if len(w) > 4],
        "languages": [lang],
        "resource_types": [{"id": TYPES[rtype], "label": rtype, "scheme": "scolomfr-voc-004"}],
        "levels": [_aligned(L[x], vocab, extra.get("origins", {}).get(x)) for x in levels],
        "disciplines": [_aligned(D[x], vocab, extra.get("origins", {}).get(x)) for x in disciplines],
        "licence": LICENCES[licence],
        "access": "restricted" if licence == "specific" else "free",
        "url": f"https://{partner}.example.org/{slug}",
    }
    if extra.get("thumb"):
        data["thumbnail"] = f"{THUMBS}{slug}.svg"
    if extra.get("author"):
        data["contributors"] = [{"name": extra["author"], "role": "author", "kind": "person"},
                                {"name": PARTNER_NAMES[partner], "role": "publisher", "kind": "organization"}]
    if extra.get("duration"):
        data["duration"] = float(extra["duration"])
        data["media_type"] = "video/mp4"
    if extra.get("created"):
        start, end, text = extra["created"]
        data["dates"] = {"created": {"start": start, "end": end, "text": text}}
    coverage: dict[str, Any] = {}
    if extra.get("places"):
        coverage["places"] = extra["places"]
    if extra.get("bbox"):
        coverage["bbox"] = extra["bbox"]
    if extra.get("temporal"):
        start, end, text = extra["temporal"]
        coverage["temporal"] = {"start": start, "end": end, "text": text}
    if coverage:
        data["coverage"] = coverage
    return validate_record(data)


def _xss_record(vocab: Any) -> dict[str, Any]:
    source_id = SOURCES["bnf"][0]
    return validate_record({
        "id": record_id(source_id, "ark:/12148/xss"),
        "source": {"partner": "bnf", "source_id": source_id, "identifier": "ark:/12148/xss"},
        "title": [{"value": XSS_TITLE, "lang": "fr"}],
        # The harvest sanitises html; this one was not, to prove the page does it again.
        "description": [{"value": XSS_DESCRIPTION, "lang": "fr",
                         "html": '<p>Les volcans <b>islandais</b> <img src=x onerror="window.__pwned=1">'
                                 '<script>window.__pwned=1</script><a href="javascript:window.__pwned=1">'
                                 'lien</a></p>'}],
        "keywords": [{"value": XSS_KEYWORD, "lang": "fr"}, {"value": "volcan", "lang": "fr"}],
        "languages": ["fr"],
        "levels": [{"id": L["5e"], "label": "5e", "provenance": "source"}],
        "disciplines": [{"id": D["svt"], "label": vocab.concept(D["svt"]).label, "provenance": "source"}],
        "licence": LICENCES["lo"],
        "contributors": [{"name": '<img src=x onerror="window.__pwned=1">', "role": "author"}],
        "rights": "<script>window.__pwned=1</script>",
        "url": "https://gallica.bnf.fr/ark:/12148/xss",
    })


def _write(store: Store, mapper: Mapper, partner: str, run: int, records: list[dict[str, Any]],
           issues: list[RunItem] | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    writes = [
        Write(r["id"], r["source"]["identifier"],
              raw=RawEntry(r["id"], r["source"]["identifier"], "test", r["id"].encode(),
                           hashlib.sha256(r["id"].encode()).hexdigest(), None),
              record=r, facets=mapper.facets(r))
        for r in records
    ]
    store.write_page(source_id=SOURCES[partner][0], partner=partner, run_id=run, writes=writes,
                     issues=list(issues or []), checkpoint={}, counts=counts)
    return counts


def build(data_dir: Path) -> Settings:
    """Fill ``data_dir`` with a store and an index; return the settings that point at them."""
    from search import open_index
    from search.sync import sync

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'catalogue.db'}", search_url=None,
        sources_path=data_dir / "sources.toml", oai_namespace="catalogue.example.fr", base_url=BASE_URL,
    )
    store = Store(settings.database_url)
    store.upgrade()
    mapper = Mapper()
    vocab = mapper.vocab
    by_partner: dict[str, list[dict[str, Any]]] = {}
    for spec in RECORDS:
        by_partner.setdefault(spec[0], []).append(_record(*spec, vocab=vocab))
    by_partner["bnf"].append(_xss_record(vocab))
    gone = _record("ina", "jalons/retire", "Archive retirée par le partenaire",
                   "Cette archive n'est plus diffusée.", ["3e"], ["hg"], "image en mouvement", "specific", {},
                   vocab)
    by_partner["ina"].append(gone)
    for partner, (source_id, name, protocol, url) in SOURCES.items():
        store.upsert_source(id=source_id, partner=partner, partner_name=PARTNER_NAMES[partner], name=name,
                            protocol=protocol, url=url, config={})
        run = store.start_run(source_id, "full")
        counts = _write(store, mapper, partner, run, by_partner[partner])
        store.finish_run(run, "done", dict(counts))
    # The INA record is withdrawn by a later harvest (410 page).
    run = store.start_run("ina-jalons", "incremental")
    counts = Counter[str]()
    store.write_page(source_id="ina-jalons", partner="ina", run_id=run,
                     writes=[Write(gone["id"], "jalons/retire", deleted=True)], checkpoint={}, counts=counts)
    store.finish_run(run, "done", dict(counts))
    # BnF's last harvest had problems a partner must fix.
    run = store.start_run("bnf-gallica", "incremental")
    issues = [
        RunItem("ark:/12148/sanstitre", None, "failed", "validate",
                "title: Missing data for required field."),
        RunItem("ark:/12148/vignette", None, "failed", "validate",
                "thumbnail: must be an http(s) URL; dates.created.start: start is after end"),
        RunItem("ark:/12148/casse", None, "failed", "parse",
                "XMLSyntaxError: Opening and ending tag mismatch"),
    ]
    counts = _write(store, mapper, "bnf", run, by_partner["bnf"][:2], issues)
    store.finish_run(run, "done-with-errors", dict(counts))
    # Météo-France's last harvest failed outright.
    run = store.start_run("meteofrance-donnees", "incremental")
    store.finish_run(run, "failed", {}, error="HTTPError: 503 Service Unavailable for https://meteo.data.gouv.fr/")
    index = open_index(None, data_dir)
    sync(index, store)
    index.close()
    store.close()
    return settings


LIVE_COUNT = len(RECORDS) + 1  # + the XSS record; the withdrawn one is not live
