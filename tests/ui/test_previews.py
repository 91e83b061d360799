"""Previews behind a click: which records get one (previews.tsv), the page's markup before the
click (a plain link, no iframe, nothing loaded from the partner), the CSP, and /apercus/<id>
over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.ui.helpers import parse
from tests.ui.test_thumbnails import ImageServer, _catalogue, _decoded, images  # noqa: F401
from tests.webapp import running_app
from web.ui import previews
from web.ui.previews import frame_origins, iiif_image, preview_for
from web.ui.thumbnails import placeholder

PLAYER = {"url": "http://fresques.ina.fr/jalons/export/player/InaEdu90001", "kind": "player",
          "media_type": "text/html", "title": None}
ARK = "https://gallica.bnf.fr/ark:/12148/btv1b10870266z"


def test_rules_pick_the_ina_player_and_gallica_iiif():
    ina = preview_for({"id": "ina-jalons-x", "url": "https://fresques.ina.fr/jalons/fiche-media/x",
                       "links": [{"url": "https://fresques.ina.fr/jalons/x.mp4", "kind": "media"}, PLAYER]})
    assert ina is not None and ina.viewer == "frame"
    assert ina.src == ina.link == "https://fresques.ina.fr/jalons/export/player/InaEdu90001"
    gallica = preview_for({"id": "bnf-gallica-x", "url": ARK})
    assert gallica is not None and gallica.viewer == "iiif"
    assert (gallica.src, gallica.link) == ("/apercus/bnf-gallica-x", ARK)
    assert iiif_image({"id": "x", "url": ARK}) == (
        "https://gallica.bnf.fr/iiif/ark:/12148/btv1b10870266z/f1/full/,1000/0/native.jpg")
    # A player elsewhere, a Gallica page that is not a document, a player given as a plain link.
    for record in ({"id": "a", "links": [{**PLAYER, "url": "https://evil.example/player/1"}]},
                   {"id": "b", "url": "https://gallica.bnf.fr/services/engine/search"},
                   {"id": "c", "links": [{**PLAYER, "kind": "access"}]}):
        assert preview_for(record) is None and iiif_image(record) is None
    assert frame_origins() == ["https://fresques.ina.fr"]


@pytest.fixture
def page_catalogue(tmp_path: Path, images: ImageServer):  # noqa: F811
    return _catalogue(tmp_path / "var", images.url, {"video": "", "carte": "", "rien": ""}, {
        "video": {"links": [PLAYER], "url": "https://fresques.ina.fr/jalons/fiche-media/InaEdu90001"},
        "carte": {"url": ARK},
    })


def test_resource_page_offers_a_link_and_loads_nothing_from_the_partner(page_catalogue):
    settings, ids = page_catalogue
    with running_app(settings) as app:
        client = app.test_client()
        video = client.get(f"/ressources/{ids['video']}")
        csp = video.headers["Content-Security-Policy"]
        assert "frame-src https://fresques.ina.fr" in csp and csp.count("frame-src") == 1
        doc = parse(video.data)
        assert not doc.xpath("//iframe") and not doc.xpath("//img[contains(@src, 'ina.fr')]")
        box = doc.get_element_by_id("apercu")
        assert box.get("data-preview") == "frame"
        assert box.get("data-src") == "https://fresques.ina.fr/jalons/export/player/InaEdu90001"
        link = box.xpath(".//a[@data-preview-open]")[0]
        assert link.get("href") == box.get("data-src") and "Voir un aperçu" in link.text_content()
        carte = parse(client.get(f"/ressources/{ids['carte']}").data).get_element_by_id("apercu")
        assert (carte.get("data-preview"), carte.get("data-src")) == ("iiif", f"/apercus/{ids['carte']}")
        assert carte.xpath(".//a[@data-preview-open]")[0].get("href") == ARK
        assert not parse(client.get(f"/ressources/{ids['rien']}").data).xpath("//*[@id='apercu']")
        # Gallica is not an allowed host of this catalogue: the placeholder, nothing fetched.
        answer = client.get(f"/apercus/{ids['carte']}")
        assert (answer.status_code, answer.data) == (200, placeholder())
        assert client.get(f"/apercus/{ids['video']}").status_code == 404


def test_preview_image_is_fetched_by_the_catalogue_and_scaled_down(
        tmp_path: Path, images: ImageServer, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    rules = tmp_path / "previews.tsv"
    pattern = images.url.replace(".", r"\.") + r"/doc/(?P<doc>\w+)"
    rules.write_text("name\tfield\tpattern\tviewer\tembed\tpartner\n"
                     f"local\turl\t{pattern}\tiiif\t{images.url}/{{doc}}.png\tBnF / Gallica\n",
                     encoding="utf-8")
    monkeypatch.setattr(previews, "RULES_FILE", rules)
    previews.rules.cache_clear()
    try:
        settings, ids = _catalogue(tmp_path / "var", images.url, {"doc": ""},
                                   {"doc": {"url": images.url + "/doc/wide"}})
        with running_app(settings) as app:
            answer = app.test_client().get(f"/apercus/{ids['doc']}")
    finally:
        previews.rules.cache_clear()
    assert answer.status_code == 200 and answer.data != placeholder()
    image: Image.Image = _decoded(answer.data)
    assert image.size == (400, 100)  # smaller than 960×960: kept as sent, not letterboxed
    assert images.hits["/wide.png"] == 1
