"""Thumbnails through the catalogue (/vignettes/<id>), over real HTTP against a local image server."""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from catalogue.config import Settings
from catalogue.pipeline import Mapper
from catalogue.store import Store
from tests.ui import catalogue_data
from tests.ui.helpers import parse
from tests.webapp import running_app
from web.ui import thumbnails
from web.ui.thumbnails import HEIGHT, WIDTH, ThumbnailCache, placeholder


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _bomb() -> bytes:
    """A tiny PNG whose header claims 8,000 × 8,000 pixels: under Pillow's own bomb limits, over ours."""
    png = bytearray(_png(1, 1, (0, 0, 0)))
    ihdr = 8 + 4  # signature, chunk length
    png[ihdr + 4:ihdr + 12] = struct.pack(">II", 8_000, 8_000)
    png[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(png[ihdr:ihdr + 17])))
    return bytes(png)


class ImageServer:
    """A partner's image host: a few fixed answers, and every request counted by path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        bodies: dict[str, tuple[int, str, bytes]] = {
            "/wide.png": (200, "image/png", _png(400, 100, (200, 0, 0))),
            "/imagette-80x60.png": (200, "image/png", _png(80, 60, (0, 0, 200))),
            "/erreur": (200, "text/html", b"<html><body>Service indisponible</body></html>"),
            "/enorme.png": (200, "image/png", b"\x89PNG" + b"\0" * (thumbnails.MAX_BYTES + 10)),
            "/panne": (503, "text/html", b"<h1>503</h1>"),
            "/bombe.png": (200, "image/png", _bomb()),
        }
        server = self
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = threading.Event()
        self.release.set()
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with server.lock:
                    server.hits[self.path] += 1
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    server.release.wait()
                    self._answer()
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _answer(self) -> None:
                if self.path == "/ailleurs":
                    self.send_response(302)
                    self.send_header("Location", "http://192.0.2.1/x.png")
                    self.end_headers()
                    return
                path = self.path.split("?", 1)[0]
                status, ctype, body = bodies.get(path, (404, "text/plain", b"absent"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # the client may stop at its size cap

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ImageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def images() -> Iterator[ImageServer]:
    with ImageServer() as server:
        yield server


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_allowed_host_gives_a_letterboxed_image_of_the_fixed_size(images: ImageServer, tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    data = cache.get(images.url + "/wide.png", [images.url + "/oai"])
    assert data is not None and data != placeholder()
    image = _decoded(data)
    assert image.format == "JPEG" and image.size == (WIDTH, HEIGHT)
    # 400×100 scaled to 240×60, centred: red in the middle, background above and below.
    red = image.getpixel((WIDTH // 2, HEIGHT // 2))
    assert red[0] > 150 and red[1] < 60
    assert image.getpixel((WIDTH // 2, 10)) == pytest.approx(thumbnails.BACKGROUND, abs=6)
    # Cached on disk: a second ask makes no request.
    assert cache.get(images.url + "/wide.png", [images.url]) == data
    assert images.hits["/wide.png"] == 1


def test_small_image_is_not_stretched(images: ImageServer, tmp_path: Path):
    image = _decoded(ThumbnailCache(tmp_path).get(images.url + "/imagette-80x60.png", [images.url]) or b"")
    assert image.size == (WIDTH, HEIGHT)
    blue = [x for x in range(WIDTH) if image.getpixel((x, HEIGHT // 2))[0] < 100]
    assert len(blue) == pytest.approx(80, abs=2)  # 80 px wide as sent, not 240
    assert image.getpixel((20, 20)) == pytest.approx(thumbnails.BACKGROUND, abs=6)


def test_disallowed_host_makes_no_connection(images: ImageServer, tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    assert cache.get(images.url + "/wide.png", ["http://127.0.0.1:1/oai", "https://gallica.bnf.fr"]) is None
    assert images.hits == Counter()


def test_fetches_to_one_host_are_limited(images: ImageServer, tmp_path: Path):
    """A results page asks for many thumbnails at once: the partner sees at most PER_HOST."""
    cache = ThumbnailCache(tmp_path)
    images.release.clear()  # the partner holds every answer until told
    results: list[bytes | None] = []
    workers = [threading.Thread(target=lambda n=n: results.append(
        cache.get(f"{images.url}/imagette-80x60.png?n={n}", [images.url]))) for n in range(10)]
    for worker in workers:
        worker.start()
    for _ in range(200):  # until the first fetches are waiting at the partner
        with images.lock:
            if images.in_flight == thumbnails.PER_HOST:
                break
        threading.Event().wait(0.02)
    with images.lock:
        assert images.in_flight == thumbnails.PER_HOST
    images.release.set()
    for worker in workers:
        worker.join(timeout=30)
    assert images.most_in_flight == thumbnails.PER_HOST
    assert len(results) == 10 and all(r is not None for r in results)


@pytest.mark.parametrize("path", ["/erreur", "/enorme.png", "/bombe.png", "/panne", "/absente.png",
                                  "/ailleurs"])
def test_partner_failures_give_nothing_and_are_not_asked_again_at_once(
        images: ImageServer, tmp_path: Path, path: str):
    cache = ThumbnailCache(tmp_path)
    assert cache.get(images.url + path, [images.url]) is None
    assert cache.get(images.url + path, [images.url]) is None
    assert images.hits[path] == 1


# -- the route, over a store whose partner serves its images from the local server ------------

def _catalogue(tmp_path: Path, image_host: str, thumbs: dict[str, str],
               fields: dict[str, dict[str, Any]] | None = None) -> tuple[Settings, dict[str, str]]:
    """A store of BnF records whose source may serve images from ``image_host``: one record
    per slug of ``thumbs`` (its thumbnail URL, or none), with ``fields[slug]`` set on it."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalogue.db'}",
                        search_url=None, sources_path=tmp_path / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=catalogue_data.BASE_URL)
    store = Store(settings.database_url)
    store.upgrade()
    mapper = Mapper()
    source_id, name, protocol, _ = catalogue_data.SOURCES["bnf"]
    store.upsert_source(id=source_id, partner="bnf", partner_name="BnF / Gallica", name=name,
                        protocol=protocol, url="https://oai.bnf.example/oai",
                        config={"media_hosts": [image_host]})
    records, ids = [], {}
    for slug, url in thumbs.items():
        record = catalogue_data._record("bnf", f"ark:/1/{slug}", f"Estampe {slug}", "Une estampe.",
                                        ["4e"], ["hg"], "image fixe", "pd", {}, mapper.vocab)
        if url:
            record["thumbnail"] = url
        record.update((fields or {}).get(slug, {}))
        records.append(record)
        ids[slug] = record["id"]
    run = store.start_run(source_id, "full")
    catalogue_data._write(store, mapper, "bnf", run, records)
    store.finish_run(run, "done", {})
    store.close()
    return settings, ids


def test_route_serves_partner_image_placeholder_or_404_never_500(images: ImageServer, tmp_path: Path):
    settings, ids = _catalogue(tmp_path / "var", images.url, {
        "bonne": images.url + "/wide.png", "cassee": images.url + "/erreur",
        "etrangere": "https://images.example.org/x.png", "sans": ""})
    with running_app(settings) as app:
        client: FlaskClient = app.test_client()
        good = client.get(f"/vignettes/{ids['bonne']}")
        assert good.status_code == 200 and good.mimetype == "image/jpeg"
        assert _decoded(good.data).size == (WIDTH, HEIGHT) and good.data != placeholder()
        assert "max-age" in good.headers["Cache-Control"]
        for slug in ("cassee", "etrangere"):
            answer = client.get(f"/vignettes/{ids[slug]}")
            assert (answer.status_code, answer.mimetype, answer.data) == (200, "image/jpeg", placeholder())
        for path in (f"/vignettes/{ids['sans']}", "/vignettes/inconnu:rien", "/vignettes/" + "x" * 300):
            answer = client.get(path)
            assert (answer.status_code, answer.data) == (404, placeholder())
        # Kept under the data directory.
        assert len(list((tmp_path / "var" / "vignettes").glob("*.jpg"))) == 1
    assert images.hits["/wide.png"] == 1 and images.hits["/erreur"] == 1


def test_pages_reference_no_image_off_site(client: FlaskClient, rid: dict[str, str]):
    pages = ["/", "/?q=gravures bastille", f"/ressources/{rid['ark:/12148/ddhc1789']}"]
    seen = 0
    for path in pages:
        response = client.get(path)
        assert "img-src 'self';" in response.headers["Content-Security-Policy"]
        doc = parse(response.data)
        for node in doc.xpath("//*[@src]"):
            src = node.get("src")
            assert src.startswith("/") and not src.startswith("//"), (path, src)
            seen += src.startswith("/vignettes/")
    assert seen >= 2


def test_media_hosts_from_the_sources_file_reach_the_allow_list(tmp_path: Path):
    from catalogue.config import ConfigError, load_sources
    from catalogue.pipeline import Pipeline

    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "bnf-gallica"\nname = "Gallica"\npartner = "bnf"\n'
                       'protocol = "oai-pmh"\nurl = "https://oai.bnf.fr/oai2/OAIHandler"\n'
                       'media_hosts = ["https://gallica.bnf.fr"]\n', encoding="utf-8")
    (source,) = load_sources(sources)
    assert source.media_hosts == ("https://gallica.bnf.fr",)
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    store.upgrade()
    Pipeline(store, lambda s: None).register([source])
    assert thumbnails.allowed_origins(store.sources()) == [
        "https://oai.bnf.fr/oai2/OAIHandler", "https://gallica.bnf.fr"]
    store.close()
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        '["https://gallica.bnf.fr"]', '"gallica.bnf.fr"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="media_hosts"):
        load_sources(sources)
