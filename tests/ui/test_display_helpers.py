"""Small display rules of the teachers' pages."""

from __future__ import annotations

from web.ui.french import image_url, licence_display


def test_images_are_asked_for_over_https_only() -> None:
    assert image_url("http://www.ina.fr/images_v2/x.jpeg") == "https://www.ina.fr/images_v2/x.jpeg"
    assert image_url("https://gallica.bnf.fr/ark:/12148/b.thumbnail") == "https://gallica.bnf.fr/ark:/12148/b.thumbnail"
    assert image_url("javascript:alert(1)") is None
    assert image_url("data:image/png;base64,AAAA") is None
    assert image_url(None) is None


def test_badge_says_all_rights_reserved_when_there_is_no_licence() -> None:
    assert licence_display({"label": "Licence Ouverte 2.0"}, None) == "Licence Ouverte 2.0"
    assert licence_display({}, "© INA — tous droits réservés") == "Tous droits réservés"
    assert licence_display({}, "Conditions à voir chez le partenaire") is None
    assert licence_display({}, None) is None
