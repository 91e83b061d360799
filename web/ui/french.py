"""Plain-French wording for what teachers and partners read: numbers, dates, roles, licences.

Every sentence a teacher reads is here rather than scattered through templates, so that wording
can be reviewed in one place.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalogue.config import founding_partners

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip

ROLES = {
    "author": "auteur",
    "creator": "créateur",
    "contributor": "contributeur",
    "editor": "éditeur scientifique",
    "publisher": "éditeur",
    "producer": "producteur",
    "distributor": "diffuseur",
    "rights_holder": "titulaire des droits",
    "contact": "contact",
    "owner": "propriétaire",
    "provider": "fournisseur",
    "other": "autre rôle",
}

ACCESS = {
    "free": "accès libre et gratuit",
    "restricted": "accès restreint (inscription, abonnement ou conditions du partenaire)",
    "unknown": "conditions d'accès non précisées",
}

DATE_KINDS = {
    "created": "Création",
    "issued": "Publication",
    "modified": "Dernière modification",
}

RUN_STATUS = {
    "done": "terminé",
    "done-with-errors": "terminé avec des erreurs",
    "failed": "échec",
    "running": "en cours",
    "interrupted": "interrompu",
}
RUN_MODE = {"full": "complet", "incremental": "incrémental"}
OUTCOMES = (
    ("added", "ajoutés"),
    ("updated", "mis à jour"),
    ("unchanged", "inchangés"),
    ("deleted", "supprimés"),
    ("failed", "en erreur"),
)
STAGES = {
    "fetch": "téléchargement",
    "parse": "lecture",
    "map": "conversion",
    "validate": "vérification",
    "store": "enregistrement",
}
SORT_LABELS = {"relevance": "pertinence", "date": "date (plus récentes d'abord)", "title": "titre (A → Z)"}
FACET_LABELS = {
    "level": "Niveau",
    "discipline": "Discipline",
    "partner": "Partenaire",
    "type": "Type de ressource",
    "licence": "Licence",
    "language": "Langue",
    "period": "Période",
}
QUALITY_LABELS = (
    ("with_level", "ont au moins un niveau scolaire connu (hors niveaux par défaut)"),
    ("with_discipline", "ont au moins une discipline connue (hors disciplines par défaut)"),
    ("with_licence", "indiquent une licence"),
    ("with_description", "ont une description"),
    ("with_thumbnail", "ont une vignette"),
)


def number(n: int | float) -> str:
    """12345 -> "12 345" (narrow no-break space between thousands)."""
    text = f"{int(n):,}"
    return text.replace(",", NNBSP)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """"0 ressource", "1 ressource", "2 ressources" (French: 0 and 1 take the singular)."""
    word = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{number(n)}{NBSP}{word}"


def results_count(n: int) -> str:
    """Heading of the results: "Aucune ressource", "1 ressource", "123 ressources"."""
    return "Aucune ressource" if n == 0 else plural(n, "ressource")


def percent(fraction: float) -> str:
    return f"{round(fraction * 100)}{NNBSP}%"


def datetime_fr(value: datetime | str | None) -> str:
    """A store datetime (naive UTC) as "3 mars 2025 à 14 h 05 (UTC)"."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return str(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year} à {value.hour} h {value.minute:02d} (UTC)"


def datetime_short(value: datetime | None) -> str:
    """"22/11/2025 14:05" for dense tables (UTC, like the rest of the harvest history)."""
    return value.strftime("%d/%m/%Y %H:%M") if value else "—"


_ISO = re.compile(r"^(-?)(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A machine timestamp a partner sent as its date text ("2023-12-01T09:44:53.961000+00:00").
_TIMESTAMP = re.compile(r"^(-?\d{4}(?:-\d{2}(?:-\d{2})?)?)"
                        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
FORMATS_FILE = Path(__file__).with_name("formats.tsv")


def iso_date_fr(value: str | None) -> str:
    """"1846-01" -> "janvier 1846"; "1846-01-05" -> "5 janvier 1846"; "-0052" -> "52 av. J.-C."."""
    if not value:
        return ""
    stamp = _TIMESTAMP.match(value.strip())
    m = _ISO.match(stamp[1] if stamp else value)
    if not m:
        return value
    bc, year, month, day = m.groups()
    year_text = f"{int(year)} av. J.-C." if bc else str(int(year))
    if month and 1 <= int(month) <= 12:
        month_text = MONTHS[int(month) - 1]
        if day:
            d = int(day)
            return f"{'1er' if d == 1 else d} {month_text} {year_text}"
        return f"{month_text} {year_text}"
    return year_text


def interval_fr(interval: dict[str, Any] | None) -> str:
    """The partner's date text, with the interval it was read as when that says more."""
    if not interval:
        return ""
    text = str(interval.get("text") or "").strip()
    start, end = interval.get("start"), interval.get("end")
    if start and end and start != end:
        read = f"entre {iso_date_fr(start)} et {iso_date_fr(end)}"
    elif start or end:
        read = iso_date_fr(start or end)
    else:
        return text
    if not text or text == (start or end) or _TIMESTAMP.match(text):
        return read
    return text if _says_same(text, read) else f"{text} ({read})"


def _says_same(text: str, read: str) -> bool:
    """Whether the partner's text already holds every number and month name of our reading."""
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    if not {int(n) for n in re.findall(r"\d+", read)} <= numbers:
        return False
    lowered = text.lower()
    return all(month in lowered for month in MONTHS if month in read)


@lru_cache(maxsize=1)
def _format_labels() -> dict[str, str]:
    lines = [line for line in FORMATS_FILE.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return {row["media_type"]: row["label"] for row in csv.DictReader(lines, delimiter="\t")}


def format_label(media_type: str | None) -> str:
    """"application/pdf" -> "PDF" (formats.tsv); an unlisted type as the partner gives it."""
    if not media_type:
        return ""
    key = media_type.split(";")[0].strip().lower()
    return _format_labels().get(key, media_type)


def duration_fr(seconds: float | None) -> str:
    """3725 -> "1 h 02 min 05 s"."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}{NBSP}h")
    if minutes or hours:
        parts.append(f"{minutes:02d}{NBSP}min" if hours else f"{minutes}{NBSP}min")
    if secs or not parts:
        parts.append(f"{secs:02d}{NBSP}s" if parts else f"{secs}{NBSP}s")
    return " ".join(parts)


def coordinate(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):.4g}°{NBSP}{hemisphere}".replace(".", ",")


def bbox_fr(bbox: dict[str, float] | None) -> str:
    if not bbox:
        return ""
    return (
        f"ouest {coordinate(bbox['west'], 'E', 'O')}, sud {coordinate(bbox['south'], 'N', 'S')}, "
        f"est {coordinate(bbox['east'], 'E', 'O')}, nord {coordinate(bbox['north'], 'N', 'S')}"
    )


def partner_name(partner_id: str, known: dict[str, str] | None = None) -> str:
    if known and partner_id in known:
        return known[partner_id]
    return founding_partners().get(partner_id, partner_id)


def short_label(label: str) -> str:
    """ScoLOMFR version qualifiers teachers need not read: "cycle 3 (2016)" -> "cycle 3"."""
    return re.sub(r"\s*\((?:discipline|2016)\)\s*$", "", label or "")


def aligned_label(entry: dict[str, Any]) -> str:
    """A level or discipline for a result card: a partner default says so."""
    label = short_label(str(entry.get("label") or ""))
    return f"{label} (par défaut)" if entry.get("provenance") == "default" else label


# -- licences ---------------------------------------------------------------------------------

_CC = re.compile(r"^cc-by(?P<parts>(?:-(?:nc|nd|sa))*)(?:-(?P<version>\d\.\d))?$")


def image_url(url: str | None) -> str | None:
    """Images are shown over https only (the pages are https and the CSP allows no http image):
    an http thumbnail is asked for over https, which public partners serve."""
    if not url:
        return None
    if url.startswith("http://"):
        return "https://" + url[len("http://"):]
    return url if url.startswith("https://") else None


# Rights statements that leave the copyright status open (nothing stated, or not determined).
UNEVALUATED_CODES = ("not-evaluated", "undetermined")


def licence_display(licence: dict[str, Any], rights: str | None) -> str | None:
    """What the licence badge says: the licence (every mapped record has one, a default
    included), else the partner's rights statement."""
    label = licence.get("label")
    if label:
        return str(label)
    if rights and ("réservés" in rights.lower() or "reserved" in rights.lower()):
        return "Tous droits réservés"
    return None


def licence_kind(code: str | None) -> str:
    """"open", "conditions" or "restricted": the colour of the licence badge."""
    if not code or code in UNEVALUATED_CODES:
        return "unknown"
    if code in ("specific", "all-rights-reserved") or code.startswith("inc-"):
        return "restricted"
    if code.startswith("noc-"):
        return "conditions"
    m = _CC.match(code)
    if (m and ("nc" in m.group("parts") or "nd" in m.group("parts"))) or code == "other-nc":
        return "conditions"
    return "open"


def licence_explanation(code: str | None) -> str:
    """What a teacher may do in class with a resource under this licence, in one or two sentences."""
    if not code or code in UNEVALUATED_CODES:
        return (
            "Licence non précisée : vous pouvez consulter la ressource et la montrer en classe "
            "depuis le site du partenaire ; vérifiez ses conditions avant de la copier ou de la diffuser."
        )
    if code.startswith("lo-"):
        return (
            "Licence Ouverte : réutilisation libre (copie, diffusion, modification, y compris en "
            "classe et dans vos supports), avec mention de la source et de la date de mise à jour."
        )
    if code in ("cc0-1.0", "public-domain", "odc-pddl", "no-known-copyright"):
        return (
            "Domaine public : réutilisation libre, sans condition. Citer la source reste une "
            "bonne pratique avec vos élèves."
        )
    if code == "odc-odbl":
        return (
            "Base de données ouverte (ODbL) : réutilisation libre avec mention de la source ; une "
            "base de données dérivée doit être partagée sous la même licence."
        )
    if code in ("odc-by", "other-at"):
        return "Réutilisation libre avec mention de l'auteur et de la source."
    if code == "other-open":
        return "Licence ouverte : réutilisation libre ; vérifiez les conditions de citation du partenaire."
    if code == "other-nc":
        return (
            "Réutilisation autorisée hors usage commercial (l'usage en classe n'est pas commercial) ; "
            "vérifiez les conditions du partenaire."
        )
    if code in ("mit", "apache-2.0", "eupl-1.2", "gpl-3.0"):
        return (
            "Logiciel libre : vous pouvez l'utiliser, le copier et le modifier ; conservez la "
            "mention de la licence."
        )
    if code == "specific":
        return (
            "Conditions spécifiques : consultation et projection en classe depuis le site du "
            "partenaire ; vérifiez ses conditions avant toute copie, modification ou diffusion."
        )
    if code == "inc-edu":
        return (
            "Droits réservés, usage éducatif autorisé : vous pouvez l'utiliser en classe ; "
            "toute autre réutilisation demande l'accord du titulaire des droits."
        )
    if code.startswith("noc-"):
        return (
            "Pas de droit d'auteur, mais d'autres restrictions s'appliquent : vérifiez les "
            "conditions du partenaire avant de la copier ou de la diffuser."
        )
    if code == "all-rights-reserved" or code.startswith("inc-"):
        return (
            "Droits réservés : consultation en ligne ; toute copie ou diffusion (même en classe) "
            "demande de vérifier les conditions du partenaire ou de l'exception pédagogique."
        )
    m = _CC.match(code)
    if m:
        parts = m.group("parts")
        text = (
            "Creative Commons : vous pouvez copier, projeter et distribuer la ressource en classe, "
            "en citant l'auteur, la source et la licence"
        )
        if "nd" in parts:
            text += ", sans la modifier"
        else:
            text += " ; vous pouvez l'adapter"
            if "sa" in parts:
                text += ", en partageant vos adaptations sous la même licence"
        if "nc" in parts:
            text += " ; pas d'usage commercial (l'usage en classe n'est pas commercial)"
        return text + "."
    return "Vérifiez les conditions de réutilisation indiquées par le partenaire."


def credit_line(title: str, authors: list[str], partner: str, licence_label: str | None,
                date: str | None = None, url: str | None = None) -> str:
    """Ready-to-paste credit with what Licence Ouverte and CC ask (title, author, source, date,
    address, licence): "« Titre », Auteur. Source : BnF / Gallica, 1790,
    https://gallica.bnf.fr/ark:/…, domaine public". The date is the resource's own (creation or
    publication), left out when the partner gives none."""
    head = f"« {title} »" if title else ""
    if authors:
        head += (", " if head else "") + ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    parts = [f"Source : {partner}"]
    if date:
        parts.append(date)
    if url:
        parts.append(url)
    licence = licence_label or "licence non précisée"
    # Common nouns lower-cased inside the sentence; names of licences keep their capitals.
    if licence.startswith(("Domaine public", "Tous droits")):
        licence = licence[0].lower() + licence[1:]
    parts.append(licence)
    source = ", ".join(parts)
    if not head:
        return source
    return f"{head} {source}" if head.endswith(".") else f"{head}. {source}"


# -- harvest problems, for partners -----------------------------------------------------------

FIELD_NAMES = {
    "id": "identifiant",
    "source.identifier": "identifiant de l'enregistrement",
    "source.landing_url": "lien vers la page de la ressource",
    "title": "titre",
    "title.value": "titre",
    "description": "description",
    "description.value": "description",
    "keywords": "mots-clés",
    "keywords.value": "mot-clé",
    "languages": "langue",
    "resource_types": "type de ressource",
    "levels": "niveau scolaire",
    "disciplines": "discipline",
    "contributors": "auteurs et contributeurs",
    "contributors.name": "nom d'un auteur ou contributeur",
    "contributors.role": "rôle d'un contributeur",
    "dates": "dates",
    "dates.created": "date de création",
    "dates.issued": "date de publication",
    "dates.modified": "date de modification",
    "licence": "licence",
    "rights": "droits",
    "url": "adresse de la ressource",
    "thumbnail": "adresse de la vignette",
    "duration": "durée",
    "coverage.bbox": "emprise géographique",
    "coverage.temporal": "période couverte",
    "links.url": "adresse d'un lien",
}
_REASONS = (
    (re.compile(r"missing data for required field", re.I), "est obligatoire mais absent"),
    (re.compile(r"must be an http\(s\) url", re.I), "doit être une adresse web complète (http:// ou https://)"),
    (re.compile(r"shorter than minimum length 1|length must be", re.I), "est vide"),
    (re.compile(r"longer than maximum length", re.I), "est trop long"),
    (re.compile(r"not a valid (string|number|list|mapping)", re.I), "n'a pas le bon type de valeur"),
    (re.compile(r"does not match expected pattern|not a scolomfr concept id", re.I),
     "n'a pas le format attendu"),
    (re.compile(r"start is after end", re.I), "a une date de début postérieure à sa date de fin"),
    (re.compile(r"south is greater than north", re.I), "a sa limite sud au nord de sa limite nord"),
    (re.compile(r"must be one of", re.I), "a une valeur inconnue"),
    (re.compile(r"greater than or equal|less than or equal", re.I), "est hors des valeurs possibles"),
)
_FIELD_ERROR = re.compile(r"(?P<field>[a-z_]+(?:\.[a-z_0-9]+)*)\s*:\s*(?P<reason>[^;]+)")


def _field_name(path: str) -> str:
    parts = [p for p in path.split(".") if not p.isdigit()]
    while parts:
        key = ".".join(parts)
        if key in FIELD_NAMES:
            return FIELD_NAMES[key]
        parts.pop()
    return path


def problem_fr(stage: str | None, message: str | None) -> str:
    """A per-record failure as advice a partner can act on, in French."""
    message = message or ""
    if stage == "validate":
        advice = []
        for m in _FIELD_ERROR.finditer(message):
            reason = next((fr for pattern, fr in _REASONS if pattern.search(m.group("reason"))),
                          "n'est pas valide")
            advice.append(f"le champ « {_field_name(m.group('field'))} » {reason}")
        if advice:
            text = " ; ".join(advice)
            return text[0].upper() + text[1:] + "."
        return "L'enregistrement ne respecte pas le format attendu."
    if stage == "fetch":
        return ("La page n'a pas pu être téléchargée : vérifiez que le serveur répond "
                "et que l'adresse du flux est stable.")
    if stage == "parse":
        return ("L'enregistrement n'a pas pu être lu : vérifiez que le XML ou le JSON est bien formé "
                "et suit le schéma annoncé.")
    if stage == "map":
        return ("L'enregistrement a été lu mais n'a pas pu être converti : un champ obligatoire "
                "(titre, identifiant) manque ou a une forme inattendue.")
    if stage == "store":
        return "Erreur interne du catalogue lors de l'enregistrement : rien à corriger de votre côté."
    return "Problème non classé : voir le détail technique."


def run_warning_fr(message: str | None) -> str:
    """A run-level warning (the run went on, nothing is missing because of it), in French."""
    if "rejected the modified-since filter" in (message or ""):
        return ("Votre serveur CSW a refusé le filtre de date du moissonnage incrémental : le "
                "catalogue a relu toutes vos notices à la place (rien n'est perdu, seules les notices "
                "modifiées sont mises à jour). Le nom de ce filtre se règle dans la configuration de "
                "la source (option « modified_queryable »).")
    return "Le moissonnage s'est poursuivi malgré ce problème : voir le détail technique."
