"""The one HTTP client every protocol uses: polite, bounded, retrying and allow-listed.

Why one client: partners judge us by how we hit their servers (a clear User-Agent, a delay between
requests, backing off when they say 429/503), and we must not be turned into a proxy for arbitrary
URLs found in partner data (``next_page``, ``hydra:next``, redirects). So the client only talks to
the scheme+host+port of URLs it was told about, follows redirects itself to check each hop, caps
every body it reads, and gives up with :class:`~harvesters.base.HarvestFailed` naming the URL, the
status and the number of attempts.

Sleeping and the clock are injectable so tests can assert *what* the client waited without
waiting.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from harvesters.base import HarvestFailed

CONTACT_URL = "https://github.com/catalogue-ressources-educatives/catalogue"
DEFAULT_USER_AGENT = f"catalogue-harvester/0.1 (+{CONTACT_URL})"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_GZIP_MAGIC = b"\x1f\x8b"
# Bytes asked per read of a body: one ``recv`` at most, so the deadline is checked often.
READ_SIZE = 16 * 1024


class UrlNotAllowed(HarvestFailed):
    """The URL's origin was not registered: we never fetch what configuration did not name."""


class BudgetExceeded(HarvestFailed):
    """The source's wall-clock budget for this run is spent: not retried."""


class ResponseTooLarge(HarvestFailed):
    """The body went past ``max_bytes`` (counted after decompression)."""


class HttpStatusError(HarvestFailed):
    """The server answered with an error status (after retries if it was retryable)."""

    def __init__(self, message: str, url: str | None, status: int, attempts: int) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class Response:
    """What a fetch returns: enough for protocol clients, nothing tied to ``requests``."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    attempts: int = 1

    @property
    def content_type(self) -> str:
        """The media type, lower-cased, without parameters ('' if absent)."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"')
        return None

    def text(self) -> str:
        return self.content.decode(self.charset or "utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; raises ValueError for anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname.lower(), port


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


@dataclass
class _Attempt:
    """The outcome of one attempt that may be retried."""

    error: str
    status: int | None = None
    retry_after: float | None = None
    response: Response | None = None


@dataclass
class HttpClient:
    """A polite, allow-listed HTTP client over one ``requests.Session``.

    ``allowed_urls``: URLs whose origin (scheme, host, port) may be fetched; add more with
    :meth:`allow`. ``max_retries``: retries after the first attempt on timeouts, connection
    errors, truncated bodies, 5xx and 429. Backoff is ``backoff_base * 2**(n-1)`` capped at
    ``backoff_max``; a ``Retry-After`` header wins, capped at ``retry_after_cap``.
    ``politeness_delay``: minimum seconds between two requests to the same host.
    """

    allowed_urls: Iterable[str] = ()
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    total_timeout: float | None = 300.0
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 120.0
    politeness_delay: float = 0.5
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    session: requests.Session | None = None
    # Absolute ``clock()`` time at which the source's budget ends (set by the pipeline).
    deadline: float | None = None
    # Called while a body is read (the run's heartbeat), at most every ``heartbeat_every`` s.
    on_progress: Callable[[], None] | None = None
    heartbeat_every: float = 5.0
    # Counters: every HTTP request sent (retries and redirect hops included).
    request_count: int = field(default=0, init=False)
    requests_by_host: Counter[str] = field(default_factory=Counter, init=False)

    def __post_init__(self) -> None:
        self._origins: set[tuple[str, str, int]] = set()
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self._last_beat: float | None = None
        if self.session is None:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        for url in self.allowed_urls:
            self.allow(url)

    # -- configuration -------------------------------------------------------------------------

    @classmethod
    def for_sources(cls, sources: Iterable[Any], **kwargs: Any) -> HttpClient:
        """A client allowed to fetch the origin of every source's ``url``."""
        return cls(allowed_urls=[s.url for s in sources], **kwargs)

    def allow(self, url: str) -> None:
        """Register the origin of ``url`` (scheme + host + port)."""
        self._origins.add(origin(url))

    def is_allowed(self, url: str) -> bool:
        try:
            return origin(url) in self._origins
        except ValueError:
            return False

    def check_allowed(self, url: str) -> None:
        if not self.is_allowed(url):
            raise UrlNotAllowed(
                f"refusing to fetch {url}: its scheme/host/port is not one of the configured "
                "sources", url=url
            )

    def close(self) -> None:
        assert self.session is not None
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public fetch --------------------------------------------------------------------------

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        accept_status: Collection[int] = (),
    ) -> Response:
        """GET ``url`` (with ``params`` URL-encoded) and return the whole body.

        2xx answers are returned; so are statuses listed in ``accept_status`` (e.g. a CSW
        server that sends its ExceptionReport with 400). 5xx, 429 and transport errors are
        retried; other statuses raise :class:`HttpStatusError` at once.
        """
        prepared = requests.Request("GET", url, params=dict(params or {})).prepare()
        assert prepared.url is not None
        full_url = prepared.url
        self.check_allowed(full_url)
        self._check_budget(full_url)
        last: _Attempt | None = None
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            outcome = self._attempt(full_url, headers, accept_status, attempt)
            if isinstance(outcome, Response):
                return outcome
            last = outcome
            self._check_budget(full_url)
            if attempt < attempts:
                if outcome.retry_after is not None:
                    self.sleep(min(outcome.retry_after, self.retry_after_cap))
                else:
                    self.backoff(attempt)
        assert last is not None
        message = f"GET {full_url} failed after {attempts} attempt(s): {last.error}"
        if last.status is not None:
            raise HttpStatusError(message, url=full_url, status=last.status, attempts=attempts)
        raise HarvestFailed(message, url=full_url)

    def backoff(self, attempt: int) -> None:
        """Sleep the exponential backoff delay for retry number ``attempt`` (1-based)."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt - 1)))
        if delay > 0:
            self.sleep(delay)

    # -- internals -----------------------------------------------------------------------------

    def _attempt(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        accept_status: Collection[int],
        attempt: int,
    ) -> Response | _Attempt:
        try:
            response = self._fetch_following_redirects(url, headers, attempt)
        except (UrlNotAllowed, ResponseTooLarge, BudgetExceeded):
            raise
        except requests.Timeout as exc:
            return _Attempt(error=f"timeout ({exc.__class__.__name__})")
        except requests.exceptions.ChunkedEncodingError as exc:
            return _Attempt(error=f"truncated body ({exc})")
        except requests.exceptions.ContentDecodingError as exc:
            return _Attempt(error=f"undecodable body ({exc})")
        except requests.ConnectionError as exc:
            return _Attempt(error=f"connection error ({exc})")
        except _BodyTimeout as exc:
            return _Attempt(error=str(exc))
        status = response.status
        if 200 <= status < 300 or status in accept_status:
            return response
        if status == 429 or 500 <= status < 600:
            return _Attempt(
                error=f"HTTP {status}",
                status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                response=response,
            )
        raise HttpStatusError(
            f"GET {url} answered HTTP {status} (not retried; attempt {attempt})",
            url=url,
            status=status,
            attempts=attempt,
        )

    def _fetch_following_redirects(
        self, url: str, headers: Mapping[str, str] | None, attempt: int
    ) -> Response:
        current = url
        for _hop in range(self.max_redirects + 1):
            response = self._fetch_once(current, headers, attempt)
            location = response.headers.get("Location")
            if response.status in _REDIRECTS and location:
                target = urljoin(current, location)
                self.check_allowed(target)
                current = target
                continue
            return response
        raise HarvestFailed(f"GET {url}: more than {self.max_redirects} redirects", url=url)

    def _polite_wait(self, host: str) -> None:
        if self.politeness_delay <= 0:
            return
        with self._lock:
            last = self._last_request.get(host)
            now = self.clock()
            wait = 0.0 if last is None else last + self.politeness_delay - now
            # Reserve the slot now so concurrent callers queue behind each other.
            self._last_request[host] = now + max(0.0, wait)
        if wait > 0:
            self.sleep(wait)

    def _fetch_once(
        self, url: str, headers: Mapping[str, str] | None, attempt: int
    ) -> Response:
        host = urlsplit(url).netloc.lower()
        self._polite_wait(host)
        with self._lock:
            self.request_count += 1
            self.requests_by_host[host] += 1
        assert self.session is not None
        deadline = self._response_deadline()
        raw = self.session.get(
            url,
            headers=dict(headers or {}),
            timeout=(self.connect_timeout, self.read_timeout),
            allow_redirects=False,
            stream=True,
        )
        try:
            declared = raw.headers.get("Content-Length", "")
            encoding = raw.headers.get("Content-Encoding", "").strip().lower()
            encoded = encoding not in ("", "identity")
            if declared.isdigit() and not encoded and int(declared) > self.max_bytes:
                raise ResponseTooLarge(
                    f"GET {url}: body announced {declared} bytes, limit {self.max_bytes}",
                    url=url,
                )
            content = self._read_body(raw, url, encoding, deadline)
            content = self._gunzip_if_needed(content, url)
        finally:
            raw.close()
        return Response(
            status=raw.status_code,
            headers=CaseInsensitiveDict(dict(raw.headers)),
            content=content,
            url=url,
            attempts=attempt,
        )

    def _response_deadline(self) -> tuple[float, bool] | None:
        """(absolute clock time, whether it is the source's budget) bounding this response."""
        candidates: list[tuple[float, bool]] = []
        if self.total_timeout is not None:
            candidates.append((self.clock() + self.total_timeout, False))
        if self.deadline is not None:
            candidates.append((self.deadline, True))
        return min(candidates) if candidates else None

    def _check_budget(self, url: str) -> None:
        if self.deadline is not None and self.clock() >= self.deadline:
            raise BudgetExceeded(
                f"GET {url}: the source's time budget is spent; not fetched", url=url
            )

    def _read_body(
        self, raw: requests.Response, url: str, encoding: str, deadline: tuple[float, bool] | None
    ) -> bytes:
        """The body in small reads (one ``recv`` each), with the deadline checked on every read
        and the socket's timeout shortened to what is left, so a server trickling one byte a
        second cannot hold the harvest past the deadline. Content-Encoding is undone here,
        incrementally, with the size cap counted after decompression."""
        stream: Any = raw.raw
        sock = _socket_of(stream)
        decoder = _Decoder(encoding, self.max_bytes, url)
        chunks: list[bytes] = []
        total = 0
        while True:
            if deadline is not None:
                left = deadline[0] - self.clock()
                if left <= 0:
                    self._deadline_passed(url, deadline)
                if sock is not None:
                    try:
                        sock.settimeout(max(0.001, min(self.read_timeout, left)))
                    except OSError:
                        sock = None
            try:
                chunk = stream.read1(READ_SIZE, decode_content=False)
            except urllib3.exceptions.ReadTimeoutError as exc:
                if deadline is not None and deadline[0] - self.clock() <= 0:
                    self._deadline_passed(url, deadline)
                raise requests.Timeout(str(exc)) from exc
            except urllib3.exceptions.ProtocolError as exc:
                raise requests.exceptions.ChunkedEncodingError(str(exc)) from exc
            if not chunk:
                tail = decoder.flush()
                if tail:
                    chunks.append(tail)
                break
            data = decoder.feed(chunk, total)
            total += len(data)
            if total > self.max_bytes:
                raise ResponseTooLarge(f"GET {url}: body exceeds {self.max_bytes} bytes", url=url)
            chunks.append(data)
            self._beat()
        return b"".join(chunks)

    def _deadline_passed(self, url: str, deadline: tuple[float, bool]) -> None:
        if deadline[1]:
            raise BudgetExceeded(
                f"GET {url}: the source's time budget ran out while the page was being read",
                url=url,
            )
        raise _BodyTimeout(f"timeout: body not complete after {self.total_timeout} s")

    def _beat(self) -> None:
        """Tell the harvest we are alive (its run heartbeat), at most every ``heartbeat_every``."""
        if self.on_progress is None:
            return
        now = self.clock()
        if self._last_beat is None or now - self._last_beat >= self.heartbeat_every:
            self._last_beat = now
            self.on_progress()

    def _gunzip_if_needed(self, content: bytes, url: str) -> bytes:
        """Undo gzip that the transport layer did not (no Content-Encoding, e.g. ``.xml.gz``).

        Metadata endpoints never mean to hand us a compressed archive, so a body starting with
        the gzip magic number is decompressed, with the same size cap.
        """
        if not content.startswith(_GZIP_MAGIC):
            return content
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = decompressor.decompress(content, self.max_bytes + 1)
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"bad gzip body: {exc}") from exc
        if len(out) > self.max_bytes or decompressor.unconsumed_tail:
            raise ResponseTooLarge(
                f"GET {url}: gzip body expands past {self.max_bytes} bytes", url=url
            )
        return out


class _BodyTimeout(Exception):
    """The body trickled in for longer than ``total_timeout``."""


def _socket_of(stream: Any) -> socket.socket | None:
    """The socket under a urllib3 response, to shorten its timeout (None if not reachable)."""
    connection = getattr(stream, "_connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


class _Decoder:
    """Undo ``Content-Encoding`` (gzip, deflate) piece by piece, never past ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.encoding = encoding
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise requests.exceptions.ContentDecodingError(
                f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes, so_far: int) -> bytes:
        if self.encoding == "deflate" and self._zlib is None:
            # RFC 9110 says zlib format; some servers send raw deflate.
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if chunk[:1] == b"\x78" else -zlib.MAX_WBITS)
        if self._zlib is None:
            return chunk
        try:
            out: bytes = self._zlib.decompress(chunk, max(1, self.limit - so_far + 1))
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"bad {self.encoding} body: {exc}") from exc
        if self._zlib.unconsumed_tail:
            raise ResponseTooLarge(
                f"GET {self.url}: {self.encoding} body expands past {self.limit} bytes", url=self.url)
        return out

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return bytes(self._zlib.flush())
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"bad {self.encoding} body: {exc}") from exc

