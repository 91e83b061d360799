"""Languages, licences and types normalised through the tables in schemas/mappings."""

import pytest

from schemas.cleaning import (
    licence_key,
    merge_types,
    normalize_language,
    normalize_licence,
    normalize_type,
    normalize_types,
)
from schemas.cleaning.vocab import _rows, rights_licence
from schemas.record import ConceptRefSchema, LicenceSchema

DCMI = "http://purl.org/dc/dcmitype/"
LO2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # the six languages of the 2010 Gallica page
        ("fre", "fr"), ("lat", "la"), ("frm", "fr"), ("spa", "es"), ("ita", "it"), ("pro", "oc"),
        ("fra", "fr"), ("fr", "fr"), ("fr-FR", "fr"), ("FR_ca", "fr"), ("Français", "fr"),
        ("francais", "fr"), ("french", "fr"), ("eng", "en"), ("ger", "de"), ("deu", "de"),
        ("Allemand", "de"), ("chi", "zh"), ("bre", "br"), ("baq", "eu"),
    ],
)  # fmt: skip
def test_languages(value, code):
    assert normalize_language(value) == code


@pytest.mark.parametrize("value", ["", None, "xx", "zzz", "grc", "und"])
def test_unknown_languages(value):
    assert normalize_language(value) is None


@pytest.mark.parametrize(
    ("text", "uri", "code", "access"),
    [
        # IGN Géoplateforme gmx:Anchor (the text cites CC-BY compatibility: must stay LO 2.0)
        ("Licence Ouverte / Open License (compatible ODC-BY, CC-BY 2.0)",
         "https://www.etalab.gouv.fr/wp-content/uploads/2018/11/open-licence.pdf", "lo-2.0", "free"),
        (None, "https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lo-2.0", "free"),
        ("Licence Ouverte / Open Licence Version 2.0  https://www.etalab.gouv.fr/wp-content/"
         "uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf", None, "lo-2.0", "free"),
        # Géo-IDE free text
        ("Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence.", None,
         "lo-1.0", "free"),
        (None, "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
         "lo-1.0", "free"),
        # data.gouv.fr ids
        ("lov2", None, "lo-2.0", "free"), ("fr-lo", None, "lo-1.0", "free"),
        ("odc-odbl", None, "odc-odbl", "free"), ("odc-by", None, "odc-by", "free"),
        ("odc-pddl", None, "odc-pddl", "free"), ("cc-by", None, "cc-by", "free"),
        ("cc-by-sa", None, "cc-by-sa", "free"), ("cc-zero", None, "cc0-1.0", "free"),
        ("other-at", None, "other-at", "free"), ("other-pd", None, "public-domain", "free"),
        # Creative Commons spellings
        ("cc-by-4.0", None, "cc-by-4.0", "free"), ("CC BY-SA 3.0", None, "cc-by-sa-3.0", "free"),
        ("CC-BY 4", None, "cc-by-4.0", "free"), ("cc-by-nc-nd", None, "cc-by-nc-nd", "free"),
        (None, "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr", "cc-by-nc-sa-4.0", "free"),
        ("Attribution-NonCommercial-NoDerivatives 4.0 International", None, "cc-by-nc-nd-4.0", "free"),
        ("Creative Commons Attribution - Partage dans les Mêmes Conditions 4.0 International", None,
         "cc-by-sa-4.0", "free"),
        ("CC0", None, "cc0-1.0", "free"),
        (None, "https://creativecommons.org/publicdomain/zero/1.0/", "cc0-1.0", "free"),
        # Gallica dc:rights, both languages
        ("domaine public", None, "public-domain", "free"),
        ("public domain", None, "public-domain", "free"),
        ("Public domain", None, "public-domain", "free"),
        ("conditions spécifiques d'utilisation - Société de Géographie", None, "specific",
         "restricted"),
        ("restricted use", None, "specific", "restricted"),
    ],
)  # fmt: skip
def test_licences(text, uri, code, access):
    licence, found_access = normalize_licence(text, uri)
    assert licence is not None
    assert licence["code"] == code
    assert found_access == access
    LicenceSchema().load(licence)


def test_licence_labels_and_uris_are_canonical():
    licence, _ = normalize_licence("lov2")
    assert licence == {"uri": LO2, "label": "Licence Ouverte 2.0", "code": "lo-2.0",
                       "provenance": "source"}
    licence, _ = normalize_licence("CC BY 4.0")
    assert licence == {
        "uri": "https://creativecommons.org/licenses/by/4.0/", "label": "CC BY 4.0",
        "code": "cc-by-4.0", "provenance": "source",
    }  # fmt: skip
    licence, _ = normalize_licence("domaine public")
    assert licence is not None and licence["label"] == "Domaine public"


def test_uri_is_tried_before_text():
    licence, _ = normalize_licence("CC BY 4.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    assert licence is not None and licence["code"] == "lo-2.0"


def test_unrecognised_licence_keeps_a_partner_uri():
    licence, access = normalize_licence("Usage libre", "https://example.org/ma-licence")
    assert (licence, access) == (None, "unknown")


@pytest.mark.parametrize(
    "text", ["License Not Specified", "notspecified", "", None,
             "Pas de restriction d'accès public selon INSPIRE"],
)  # fmt: skip
def test_no_licence(text):
    assert normalize_licence(text) == (None, "unknown")


def test_licence_key():
    assert licence_key("CC BY-SA 4.0") == "cc-by-sa-4.0"
    assert licence_key("https://www.Example.org/Licence.") == "example.org-licence"


@pytest.mark.parametrize(
    ("value", "scheme", "dcmi", "finer"),
    [
        ("texte", None, "Text", None), ("text", None, "Text", None),
        ("image fixe", None, "StillImage", None), ("still image", None, "StillImage", None),
        ("carte", None, "StillImage", "scolomfr-voc-005-num-011"),
        ("cartographic resource", None, "StillImage", "scolomfr-voc-005-num-011"),
        ("document cartographique manuscrit", None, "StillImage", "scolomfr-voc-005-num-011"),
        ("monographie imprimée", None, "Text", "scolomfr-voc-005-num-029"),
        ("printed monograph", None, "Text", "scolomfr-voc-005-num-029"),
        ("publication en série imprimée", None, "Text", "scolomfr-voc-005-num-031"),
        ("printed serial", None, "Text", "scolomfr-voc-005-num-031"),
        ("manuscrit", None, "Text", None),
        ("partition", None, "Text", "scolomfr-voc-005-num-030"),
        ("score", None, "Text", "scolomfr-voc-005-num-030"),
        ("son", None, "Sound", None), ("sound", None, "Sound", None),
        ("vidéo", None, "MovingImage", None), ("moving image", None, "MovingImage", None),
        ("objet", None, "PhysicalObject", "scolomfr-voc-005-num-027"),
        ("photographie", None, "StillImage", "scolomfr-voc-005-num-032"),
        ("Photographie de presse -- 1900-1945", None, "StillImage", "scolomfr-voc-005-num-032"),
        ("dataset", "iso19139", "Dataset", "scolomfr-voc-005-num-008"),
        ("series", "iso19139", "Dataset", "scolomfr-voc-005-num-008"),
        ("service", "iso19139", "Service", None),
        ("image", "mrss", "StillImage", None), ("audio", "mrss", "Sound", None),
        ("video", "mrss", "MovingImage", None), ("document", "mrss", "Text", None),
        ("dataset", "udata", "Dataset", "scolomfr-voc-005-num-008"),
        ("http://purl.org/dc/dcmitype/StillImage", None, "StillImage", None),
        ("InteractiveResource", None, "InteractiveResource", None),
    ],
)  # fmt: skip
def test_types(value, scheme, dcmi, finer):
    found = normalize_types(value, scheme)
    assert found[0]["id"] == DCMI + dcmi
    assert found[0]["scheme"] == "scolomfr-voc-004"
    assert normalize_type(value, scheme) == found[0]
    assert [t["id"] for t in found[1:]] == ([finer] if finer else [])
    for concept in found:
        ConceptRefSchema().load(concept)


def test_type_labels_are_french_scolomfr_labels():
    assert normalize_type("still image") == {
        "id": DCMI + "StillImage", "label": "image fixe", "scheme": "scolomfr-voc-004",
    }  # fmt: skip
    assert normalize_types("carte")[1]["label"] == "carte"


def test_scolomfr_concepts_match_by_uri_and_lom_word():
    found = normalize_types("http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-010-num-014")
    assert found == [
        {"id": "scolomfr-voc-010-num-014", "label": "manuel d'enseignement", "scheme": "scolomfr-voc-010"}
    ]
    exercise = normalize_type("exercise", "lom")
    assert exercise is not None and exercise["label"] == "exercice"


def test_unknown_type():
    assert normalize_type("zzz") is None
    assert normalize_types("") == []


def test_merge_types_puts_dcmi_first_and_drops_repeats():
    merged = merge_types(normalize_types("carte") + normalize_types("image fixe"))
    assert [t["id"] for t in merged] == [DCMI + "StillImage", "scolomfr-voc-005-num-011"]


def test_merge_types_drops_image_when_still_image_says_more():
    values = normalize_types("image") + normalize_types("image fixe") + normalize_types("carte")
    assert [t["id"] for t in merge_types(values)] == [
        DCMI + "StillImage", "scolomfr-voc-005-num-011",
    ]  # fmt: skip


# -- rights IRIs for every record (issue 19) ---------------------------------------------------

PDM = "https://creativecommons.org/publicdomain/mark/1.0/"
RSV = "http://rightsstatements.org/vocab/"
RS = RSV + "{}/1.0/"


@pytest.mark.parametrize(
    ("text", "uri", "code", "iri", "provenance", "access"),
    [
        # public domain in words: the partner's statement, as the Public Domain Mark
        ("domaine public", None, "public-domain", PDM, "rule", "free"),
        ("Public domain", None, "public-domain", PDM, "rule", "free"),
        ("other-pd", None, "public-domain", PDM, "rule", "free"),
        # the Public Domain Mark named by the partner
        (None, "https://creativecommons.org/publicdomain/mark/1.0/", "public-domain", PDM, "source", "free"),
        ("Public Domain Mark 1.0", None, "public-domain", PDM, "source", "free"),
        # rightsstatements.org, where the partner says so
        (None, RSV + "NoC-NC/1.0/", "noc-nc", RS.format("NoC-NC"), "source", "free"),
        (None, "https://rightsstatements.org/vocab/NoC-OKLR/1.0/", "noc-oklr", RS.format("NoC-OKLR"),
         "source",
         "restricted"),
        (None, RSV + "NoC-CR/1.0/", "noc-cr", RS.format("NoC-CR"), "source",
         "restricted"),
        (None, RSV + "NoC-US/1.0/", "noc-us", RS.format("NoC-US"), "source", "unknown"),
        (None, RSV + "InC/1.0/", "all-rights-reserved", RS.format("InC"), "source",
         "unknown"),
        (None, RSV + "InC-EDU/1.0/", "inc-edu", RS.format("InC-EDU"), "source", "free"),
        (None, RSV + "CNE/1.0/", "not-evaluated", RS.format("CNE"), "source",
         "unknown"),
        (None, RSV + "UND/1.0/", "undetermined", RS.format("UND"), "source",
         "unknown"),
        # "tous droits réservés" and Gallica's "conditions spécifiques": in copyright (InC)
        ("Tous droits réservés", None, "all-rights-reserved", RS.format("InC"), "rule", "unknown"),
        ("© INA — tous droits réservés", None, "all-rights-reserved", RS.format("InC"), "rule", "unknown"),
        ("conditions spécifiques d'utilisation - Société de Géographie", None, "specific", RS.format("InC"),
         "rule", "restricted"),
        # unversioned Creative Commons: the licence family's IRI
        ("cc-by-sa", None, "cc-by-sa", "https://creativecommons.org/licenses/by-sa/", "source", "free"),
    ],
)  # fmt: skip
def test_rights_statements_map_to_iris(text, uri, code, iri, provenance, access):
    licence, found_access = normalize_licence(text, uri)
    assert licence == {**licence, "code": code, "uri": iri, "provenance": provenance}
    assert found_access == access
    LicenceSchema().load(licence)


@pytest.mark.parametrize("rights", [None, "", "License Not Specified", "Usage libre en classe"])
def test_nothing_stated_is_copyright_not_evaluated_by_the_catalogue(rights):
    """No licence and no readable rights text: CNE, marked as the catalogue's (default)."""
    licence = rights_licence(None, rights)
    assert licence == {"uri": RS.format("CNE"), "label": "Licence non précisée", "code": "not-evaluated",
                       "provenance": "default"}
    LicenceSchema().load(licence)


def test_rights_text_gives_the_licence_when_the_reader_had_none():
    assert rights_licence(None, "© INA — tous droits réservés")["uri"] == RS.format("InC")
    kept = {"uri": None, "label": "Autre licence ouverte", "code": "other-open", "provenance": "source"}
    assert rights_licence(kept, "Tous droits réservés") is kept


def test_every_licence_row_has_an_iri_or_a_documented_reason():
    """licences.tsv documents the one exception: data.gouv.fr's other-* licences."""
    rows = [r for r in _rows("licences.tsv") if r["kind"] in ("licence", "default")]
    assert rows
    for row in rows:
        assert row["provenance"] in ("source", "rule", "default"), row
        if not row["code"].startswith("other-"):
            assert row["uri"].startswith(("http://", "https://")), row
    assert [r["code"] for r in rows if r["kind"] == "default"] == ["not-evaluated"]
