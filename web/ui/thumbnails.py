"""Thumbnails served by the catalogue itself (``/vignettes/<record id>``).

Why: a page that loads its images from gallica.bnf.fr or fresques.ina.fr waits on the partner,
breaks when the partner is slow, tells the partner who reads what (the teacher's IP and the
page in the Referer), and shows whatever the partner sends at whatever size. Here the record's
thumbnail URL is fetched by the server, on the browser's request and never before, only from
an allow-listed partner origin (the configured sources' URLs and their ``media_hosts``),
through the harvest HTTP client (its allow-list checked on every redirect, its size cap and
timeouts), decoded with Pillow and re-encoded as one JPEG of fixed size: the image is scaled
down to fit, never up, never stretched, and centred on a plain background (letterboxed). The
result is cached on disk under the data directory. Anything that goes wrong gives a placeholder
image of the same size, never an error page.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from harvesters.http import DEFAULT_USER_AGENT, HttpClient, origin

log = logging.getLogger("catalogue.web.thumbnails")

WIDTH, HEIGHT = 240, 180
# Previews (Gallica's first page, /apercus/<id>): scaled down to fit, not letterboxed.
PREVIEW_SIZE = (960, 960)
BACKGROUND = (242, 242, 240)
# A thumbnail is small: anything bigger is not one (and could be a decompression bomb).
MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 25_000_000
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# A partner that failed is asked again after this long, not on every page view.
FAILURE_TTL = 3600.0
# Fetches in flight to one partner host from one process: a results page asks for 20 thumbnails
# at once, and the partner should not see 20 connections. Past the wait, the placeholder.
PER_HOST = 4
SLOT_WAIT = 15.0
CACHE_OK = "public, max-age=604800"
CACHE_PLACEHOLDER = "public, max-age=600"
USER_AGENT = DEFAULT_USER_AGENT.replace("catalogue-harvester", "catalogue-vignettes")


class NotAnImage(ValueError):
    """The body is not an image Pillow may decode within our limits."""


def thumbnail_path(record_id: str) -> str:
    """The catalogue's address of a record's thumbnail (the only one a page may use)."""
    return f"/vignettes/{record_id}"


def allowed_origins(sources: Iterable[dict[str, Any]]) -> list[str]:
    """Origins a thumbnail may come from: each stored source's URL and its ``media_hosts``."""
    urls: list[str] = []
    for source in sources:
        urls.append(str(source.get("url") or ""))
        config = source.get("config") or {}
        urls.extend(str(u) for u in config.get("media_hosts") or [])
    kept = []
    for url in urls:
        try:
            origin(url)
        except ValueError:
            continue
        kept.append(url)
    return kept


def candidates(url: str) -> list[str]:
    """The https form first (what a partner should serve), then the URL as the record gives it."""
    found = []
    if url.startswith("http://"):
        found.append("https://" + url[len("http://"):])
    if url.startswith(("http://", "https://")):
        found.append(url)
    return found


def reencode(body: bytes, size: tuple[int, int] = (WIDTH, HEIGHT), letterbox: bool = True) -> bytes:
    """Decode ``body`` and return a JPEG scaled down to fit ``size`` (never up, aspect ratio
    kept), centred on ``BACKGROUND`` at exactly ``size`` when ``letterbox`` (thumbnails), at its
    own size otherwise (previews). Raises :class:`NotAnImage`."""
    width, height = size
    try:
        with Image.open(io.BytesIO(body), formats=FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise NotAnImage(f"{opened.width}×{opened.height} pixels is not a thumbnail")
            opened.draft("RGB", (width * 2, height * 2))
            image = ImageOps.exif_transpose(opened).convert("RGBA")
    except NotAnImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from exc
    image.thumbnail((width, height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height) if letterbox else image.size, BACKGROUND)
    canvas.paste(image, ((canvas.width - image.width) // 2, (canvas.height - image.height) // 2), image)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


@lru_cache(maxsize=1)
def placeholder() -> bytes:
    """A neutral picture pictogram at the thumbnail's size (drawn once per process)."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    ink = (150, 150, 146)
    x0, y0, x1, y1 = 90, 62, 150, 118
    draw.rectangle((x0, y0, x1, y1), outline=ink, width=3)
    draw.polygon([(x0 + 6, y1 - 6), (x0 + 24, y0 + 24), (x0 + 38, y1 - 16), (x0 + 46, y1 - 24),
                  (x1 - 6, y1 - 6)], fill=ink)
    draw.ellipse((x1 - 20, y0 + 8, x1 - 10, y0 + 18), fill=ink)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return out.getvalue()


class ThumbnailCache:
    """Fetch, re-encode and keep thumbnails in ``directory`` (one file per thumbnail URL)."""

    def __init__(self, directory: Path, *, size: tuple[int, int] = (WIDTH, HEIGHT),
                 letterbox: bool = True, client_options: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()
        self.size = size
        self.letterbox = letterbox
        self.client_options = {
            "connect_timeout": 3.0, "read_timeout": 5.0, "total_timeout": 10.0,
            "max_retries": 0, "politeness_delay": 0.0, "max_bytes": MAX_BYTES,
            "max_redirects": 3, "user_agent": USER_AGENT, **(client_options or {}),
        }

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{key}.jpg", self.directory / f"{key}.echec"

    def get(self, url: str, allowed: Iterable[str]) -> bytes | None:
        """The re-encoded thumbnail of ``url``, or None (the caller shows the placeholder).

        Nothing is fetched unless ``url`` (or its https form) is on an allowed origin."""
        image_path, failure_path = self._paths(url)
        try:
            return image_path.read_bytes()
        except OSError:
            pass
        try:
            if time.time() - failure_path.stat().st_mtime < FAILURE_TTL:
                return None
        except OSError:
            pass
        client = HttpClient(allowed_urls=list(allowed), **self.client_options)
        try:
            target = next((u for u in candidates(url) if client.is_allowed(u)), None)
            if target is None:
                log.info("thumbnail not fetched: %s is not on a partner's allowed host", url)
                return None
            slot = self._slot(target)
            if not slot.acquire(timeout=SLOT_WAIT):
                log.warning("thumbnail %s: too many fetches in flight to its host", target)
                return None
            try:
                response = client.get(target, headers={"Accept": "image/*"})
                image = reencode(response.content, self.size, self.letterbox)
            except Exception as exc:  # any partner or decoding failure: the placeholder
                log.warning("thumbnail %s: %s", target, exc)
                self._write(failure_path, b"")
                return None
            finally:
                slot.release()
        finally:
            client.close()
        self._write(image_path, image)
        return image

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = origin(url)[1]
        with self._slots_lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(PER_HOST)
            return self._slots[host]

    def _write(self, path: Path, data: bytes) -> None:
        """Atomic write; a read-only or full disk only costs the cache."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("thumbnail cache not written (%s): %s", path, exc)
