"""Turn the shipped SKOS files into a plain JSON model, cached on disk by content hash.

RDF/XML parsing of the 3.4 MB voc-015 file takes seconds; reading the compiled JSON takes tens of
milliseconds. So rdflib runs only when the SKOS bytes (or :data:`FORMAT_VERSION`) change. The
cache file is written atomically, and when the directory cannot be written the model is simply
built in memory each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.xmlsafe import parse_xml

from .programmes import compile_programmes

log = logging.getLogger(__name__)

# Bump when the compiled structure or the compile rules change: old caches are then ignored.
FORMAT_VERSION = 4  # 4: the programme index (programmes.py)
SKOS_DIR = Path(__file__).resolve().parent / "skos"
DEPRECATED_FILE = "conceptsDeprecies.xml"
CACHE_PREFIX = "scolomfr-vocab-"
CONCEPT_BASE = "http://data.education.fr/voc/scolomfr/concept/"

# Current concepts of these vocabularies must also be reachable from the "2015-" collection.
ROOT_COLLECTIONS = {
    "022": "scolomfr-voc-022-num-626",  # Niveau éducatif détaillé (2015-)
    "015": "scolomfr-voc-015-num-1830",  # Domaine d'enseignement (2015-)
}
DISCIPLINE_COLLECTION = "scolomfr-voc-015-num-1835"  # enseignements par disciplines
CYCLES_ROOT = "scolomfr-voc-022-num-615"  # cycles de l'enseignement scolaire (2016)
# Collections whose member concepts are school stages (top of a stage → class tree).
STAGE_COLLECTIONS = (
    "scolomfr-voc-022-num-626",  # the 2015- root itself: maternelle, élémentaire, collège, lycées…
    "scolomfr-voc-022-num-162",  # enseignement supérieur en lycée: BTS, DUT, CPGE, licence pro
    "scolomfr-voc-022-num-284",  # formation professionnelle
)

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ISOTHES_STATUS = "http://purl.org/iso25964/skos-thes#status"
_CANOPE = "https://www.reseau-canope.fr/scolomfr/ontology.owl#"
_DCT_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
_SCHEME = re.compile(r"scolomfr-voc-(\d{3})$")
_ID_VOCAB = re.compile(r"^scolomfr-voc-(\d{3})-")
_NUM = re.compile(r"(\d+)$")


def source_files(skos_dir: Path) -> list[Path]:
    """The files the model is built from: every ``*.rdf`` plus the deprecation list."""
    files = sorted(skos_dir.glob("*.rdf"))
    deprecated = skos_dir / DEPRECATED_FILE
    if deprecated.is_file():
        files.append(deprecated)
    if not files:
        raise FileNotFoundError(f"no SKOS files in {skos_dir}")
    return files


def content_key(files: Iterable[Path]) -> str:
    """Hash of the files' names and bytes plus the format version (the cache key)."""
    digest = hashlib.sha256(f"format:{FORMAT_VERSION}\x00".encode())
    for path in files:
        digest.update(path.name.encode() + b"\x00")
        digest.update(path.read_bytes())
        digest.update(b"\x00")
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """``$CATALOGUE_CACHE_DIR``, else ``$CATALOGUE_DATA_DIR/cache`` (data dir defaults to ./var)."""
    explicit = os.environ.get("CATALOGUE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("CATALOGUE_DATA_DIR") or "./var") / "cache"


def load_compiled(skos_dir: Path | None = None, cache_dir: Path | None = None) -> dict[str, Any]:
    """The compiled model: from the cache when its key matches, else built and cached."""
    skos_dir = skos_dir or SKOS_DIR
    cache_dir = cache_dir or default_cache_dir()
    files = source_files(skos_dir)
    key = content_key(files)
    path = cache_dir / f"{CACHE_PREFIX}{key[:24]}.json"
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    data = compile_files(files)
    data["key"] = key
    _write_cache(path, data)
    return data


def _read_cache(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable vocabulary cache %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION or data.get("key") != key:
        return None
    return data


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    """Write via a temporary file + ``os.replace`` so readers never see half a file."""
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    tmp_name: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=".tmp-" + CACHE_PREFIX, suffix=".json", delete=False
        ) as handle:
            tmp_name = handle.name
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # NamedTemporaryFile creates 0600; other workers read it too
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        log.warning("vocabulary cache not written (%s); building in memory each start", exc)
        return
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
    for stale in path.parent.glob(f"{CACHE_PREFIX}*.json"):
        if stale != path:
            stale.unlink(missing_ok=True)


def _num(concept_id: str) -> int:
    match = _NUM.search(concept_id)
    return int(match.group(1)) if match else 0


def _local(uri: str) -> str:
    return re.split(r"[/#]", uri.rstrip("/#"))[-1]


def compile_files(files: list[Path]) -> dict[str, Any]:
    """Parse the RDF with rdflib and flatten it into JSON-able concept and collection records."""
    import rdflib  # imported here so that a cache hit never loads or calls rdflib

    graph = rdflib.Graph()
    deprecated_file: Path | None = None
    for path in files:
        blob = path.read_bytes()
        parse_xml(blob)  # refuses entity declarations and oversized files before rdflib sees them
        if path.name == DEPRECATED_FILE:
            deprecated_file = path
            continue
        graph.parse(data=blob, format="xml", publicID=CONCEPT_BASE)

    values: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, obj in graph:
        if not isinstance(subject, rdflib.URIRef):
            continue
        slot = values.setdefault(str(subject), {}).setdefault(str(predicate), [])
        slot.append(obj)

    def uris(node: str, predicate: str) -> list[str]:
        return [str(o) for o in values.get(node, {}).get(predicate, []) if isinstance(o, rdflib.URIRef)]

    def texts(node: str, predicate: str) -> list[str]:
        out = []
        for obj in values.get(node, {}).get(predicate, []):
            if isinstance(obj, rdflib.Literal) and (obj.language in (None, "fr")):
                text = " ".join(str(obj).split())
                if text and text not in out:
                    out.append(text)
        return sorted(out)

    concept_uris = sorted(u for u, p in values.items() if _SKOS + "Concept" in map(str, p.get(_RDF_TYPE, [])))
    collection_uris = sorted(
        u for u, p in values.items() if _SKOS + "Collection" in map(str, p.get(_RDF_TYPE, []))
    )
    id_of: dict[str, str] = {}
    for uri in concept_uris + collection_uris:
        local = _local(uri)
        if local in id_of.values():
            log.warning("duplicate concept id %s (%s); keeping the first", local, uri)
            continue
        id_of[uri] = local
    concept_ids = {id_of[u] for u in concept_uris if u in id_of}

    def ids(node: str, predicate: str) -> list[str]:
        found = {id_of[u] for u in uris(node, predicate) if u in id_of}
        return sorted(found, key=lambda i: (_num(i), i))

    concepts: dict[str, dict[str, Any]] = {}
    for uri in concept_uris:
        if uri not in id_of:
            continue
        cid = id_of[uri]
        vocab = ""
        for scheme in uris(uri, _SKOS + "inScheme"):
            match = _SCHEME.search(scheme)
            if match:
                vocab = match.group(1)
        if not vocab and (match := _ID_VOCAB.match(cid)):
            vocab = match.group(1)
        statuses = texts(uri, _ISOTHES_STATUS)
        not_current = [s for s in statuses if s != "Actuel"]
        labels = texts(uri, _SKOS + "prefLabel")
        alt = texts(uri, _SKOS + "altLabel")
        extra = sorted(
            {*texts(uri, _SKOS + "hiddenLabel"), *texts(uri, _CANOPE + "labelEquivalentExact")}
            - {*alt, *labels}
        )
        order = texts(uri, _CANOPE + "ordre")
        concepts[cid] = {
            "id": cid,
            "uri": uri,
            "vocab": vocab,
            "label": labels[0] if labels else cid,
            "alt": alt,
            "extra": extra,
            "broader": set(ids(uri, _SKOS + "broader")) & concept_ids,
            "narrower": set(ids(uri, _SKOS + "narrower")) & concept_ids,
            "related": set(ids(uri, _SKOS + "related")) & concept_ids,
            "status": not_current[0] if not_current else (statuses[0] if statuses else ""),
            "order": order[0] if order else "",
            "replaced_by_skos": ids(uri, _DCT_REPLACED_BY),
        }
    # SKOS says broader/narrower and related are inverse/symmetric; the files state them unevenly.
    for cid, c in concepts.items():
        for parent in c["broader"]:
            concepts[parent]["narrower"].add(cid)
        for child in c["narrower"]:
            concepts[child]["broader"].add(cid)
        for other in c["related"]:
            concepts[other]["related"].add(cid)

    collections: dict[str, dict[str, Any]] = {}
    for uri in collection_uris:
        if uri not in id_of:
            continue
        labels = texts(uri, _SKOS + "prefLabel")
        collections[id_of[uri]] = {
            "id": id_of[uri],
            "uri": uri,
            "label": labels[0] if labels else id_of[uri],
            "members": ids(uri, _SKOS + "member"),
        }

    _mark_current(concepts, collections)
    _mark_kinds(concepts, collections)
    programmes = compile_programmes(concepts)
    deprecated = _read_deprecated(deprecated_file) if deprecated_file else {}
    _choose_replacements(concepts, deprecated)

    out_concepts = []
    for cid in sorted(concepts, key=lambda i: (concepts[i]["vocab"], _num(i), i)):
        c = concepts[cid]
        c.pop("replaced_by_skos")
        for name in ("broader", "narrower", "related"):
            c[name] = sorted(c[name], key=lambda i: (_num(i), i))
        out_concepts.append(c)
    return {
        "format": FORMAT_VERSION,
        "concepts": out_concepts,
        "collections": collections,
        "deprecated": deprecated,
        "programmes": programmes,
    }


def _mark_current(concepts: dict[str, dict[str, Any]], collections: dict[str, dict[str, Any]]) -> None:
    """Current = status Actuel (or none) and, for voc-022/015, inside the 2015- collection tree."""
    reachable: set[str] = set()
    queue = deque(ROOT_COLLECTIONS.values())
    while queue:
        node = queue.popleft()
        if node in reachable:
            continue
        reachable.add(node)
        if node in collections:
            queue.extend(collections[node]["members"])
        elif node in concepts:
            queue.extend(concepts[node]["narrower"])
    for cid, c in concepts.items():
        in_tree = c["vocab"] not in ROOT_COLLECTIONS or cid in reachable
        c["current"] = c["status"] in ("", "Actuel") and in_tree


def _mark_kinds(concepts: dict[str, dict[str, Any]], collections: dict[str, dict[str, Any]]) -> None:
    """voc-022: stage / class / cycle / other; voc-015: discipline / topic; others: ''."""
    cycles: set[str] = set()
    queue = deque([CYCLES_ROOT])
    while queue:
        node = queue.popleft()
        if node in cycles or node not in concepts:
            continue
        cycles.add(node)
        queue.extend(concepts[node]["narrower"])
    stages = {
        member
        for coll in STAGE_COLLECTIONS
        for member in collections.get(coll, {}).get("members", [])
        if member in concepts and not concepts[member]["broader"]
    }
    disciplines = set(collections.get(DISCIPLINE_COLLECTION, {}).get("members", []))

    def under_stage(cid: str) -> bool:
        seen: set[str] = set()
        todo = list(concepts[cid]["broader"])
        while todo:
            node = todo.pop()
            if node in stages:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(concepts[node]["broader"])
        return False

    for cid, c in concepts.items():
        if c["vocab"] == "022":
            if cid in cycles or c["label"].lower().startswith("cycle"):
                c["kind"] = "cycle"
            elif cid in stages:
                c["kind"] = "stage"
            elif under_stage(cid):
                c["kind"] = "class"
            else:
                c["kind"] = "other"
        elif c["vocab"] == "015":
            c["kind"] = "discipline" if cid in disciplines else "topic"
        else:
            c["kind"] = ""


def _read_deprecated(path: Path) -> dict[str, str]:
    """Deprecated id → replacement id, from ``conceptsDeprecies.xml``.

    The key is ``CONCEPT/ID``. When ``TERME/ID`` names a different id (num-938 vs num-3700 in
    3.2.0), that id is added as an alias so a record copying it still resolves.
    """
    root = parse_xml(path.read_bytes())
    out: dict[str, str] = {}
    for concept in root.iter("CONCEPT"):
        old = concept.findtext("ID")
        new = concept.findtext("REMPLACE_PAR")
        if not old or not new:
            continue
        old_id, new_id = _local(old.strip()), _local(new.strip())
        out[old_id] = new_id
        for alias in concept.iterfind("TERME/ID"):
            alias_id = _local((alias.text or "").strip())
            if alias_id and alias_id not in out:
                out[alias_id] = new_id
    return out


def _choose_replacements(concepts: dict[str, dict[str, Any]], deprecated: dict[str, str]) -> None:
    """One ``replaced_by`` per concept: the deprecation list first, else dcterms:isReplacedBy.

    Old 2008–2014 voc-015 concepts are often split across several replacements (mathématiques →
    cycle 3 and cycle 4 topics); then the nearest current concept above all of them is taken
    (mathématiques (discipline)), else the first replacement by number.
    """

    def ancestors(cid: str) -> list[str]:
        order: list[str] = []
        queue = deque([cid])
        while queue:
            node = queue.popleft()
            if node in order or node not in concepts:
                continue
            order.append(node)
            queue.extend(concepts[node]["broader"])
        return order

    for cid, c in concepts.items():
        targets = [t for t in c["replaced_by_skos"] if t != cid]
        official = deprecated.get(cid)
        if official and official != cid:
            targets = [official] + [t for t in targets if t != official]
        c["replacements"] = targets
        chosen: str | None = None
        if official and official != cid:
            chosen = official
        elif len(targets) == 1:
            chosen = targets[0]
        elif targets:
            others = [set(ancestors(t)) for t in targets[1:]]
            common = [
                a
                for a in ancestors(targets[0])
                if all(a in s for s in others) and concepts[a].get("current")
            ]
            chosen = common[0] if common else targets[0]
        c["replaced_by"] = chosen


__all__ = [
    "CACHE_PREFIX",
    "DISCIPLINE_COLLECTION",
    "FORMAT_VERSION",
    "ROOT_COLLECTIONS",
    "SKOS_DIR",
    "compile_files",
    "content_key",
    "default_cache_dir",
    "load_compiled",
    "source_files",
]
