"""The one HTTP client: canonical URLs in, Fetched out.

Everything above this module speaks the real sites' URLs. With a mirror configured, the wire URL becomes
`<mirror>/<host><path>`; redirects are mapped back, so links, allowlist and store keys never see the mirror.
Polite by construction: robots.txt, a per-host delay on real hosts, conditional GET, retries with backoff on
timeouts / 5xx / resets, a byte cap per response, no request or redirect outside the configured hosts.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
import urllib.robotparser
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from tracker.config import Settings
from tracker.errors import (
    HTTPStatusError,
    OffAllowlistError,
    RobotsDisallowedError,
    TooLargeError,
    TransportError,
)
from tracker.types import Fetched

log = logging.getLogger(__name__)

RETRY_STATUS = {429, 500, 502, 503, 504}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5


def is_loopback(host: str) -> bool:
    host = host.split(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Client:
    """Fetch canonical URLs of the allowed hosts. Use as a context manager."""

    def __init__(self, settings: Settings, hosts: set[str], *, sleep=time.sleep) -> None:
        self.settings = settings
        self.hosts = set(hosts)
        self.mirror = settings.mirror.rstrip("/") if settings.mirror else None
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
        )
        self.requests = 0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- URL mapping -------------------------------------------------------------------------------------
    def check_allowed(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in self.hosts:
            raise OffAllowlistError(f"refused: host {parts.hostname or '?'} is not a configured source", url=url)

    def wire(self, url: str) -> str:
        if not self.mirror:
            return url
        parts = urlsplit(url)
        path = parts.path or "/"
        return f"{self.mirror}/{parts.hostname}{path}" + (f"?{parts.query}" if parts.query else "")

    def canonical(self, wire_url: str, scheme: str = "https") -> str:
        """Map a URL seen on the wire (e.g. a redirect target) back to the real site's URL."""
        if self.mirror and wire_url.startswith(self.mirror + "/"):
            rest = wire_url[len(self.mirror) + 1:]
            host, _, path = rest.partition("/")
            parts = urlsplit("//" + host + "/" + path)
            return urlunsplit((scheme, host, parts.path, parts.query, ""))
        return wire_url

    # -- politeness --------------------------------------------------------------------------------------
    def _wait_turn(self, url: str) -> None:
        wire_host = urlsplit(self.wire(url)).netloc
        if is_loopback(wire_host):
            return
        host = urlsplit(url).hostname or ""
        delay = self.settings.delay
        robots = self._robots.get(host)
        if robots is not None:
            crawl_delay = robots.crawl_delay(self.settings.user_agent)
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        wait = self._last.get(wire_host, 0.0) + delay - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last[wire_host] = time.monotonic()

    def _check_robots(self, url: str) -> None:
        if not self.settings.robots:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host not in self._robots:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                got = self._request("GET", robots_url, {}, None)
                if got.status == 200:
                    parser = urllib.robotparser.RobotFileParser(robots_url)
                    parser.parse(got.content.decode("utf-8", "replace").splitlines())
            except (TransportError, HTTPStatusError, TooLargeError) as exc:
                log.info("robots.txt for %s unavailable (%s); proceeding", host, exc)
            self._robots[host] = parser
        parser = self._robots[host]
        if parser is not None and not parser.can_fetch(self.settings.user_agent, url):
            raise RobotsDisallowedError("robots.txt disallows this path", url=url)

    # -- requests ----------------------------------------------------------------------------------------
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            referer: str | None = None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if referer:
            headers["Referer"] = referer
        return self.fetch("GET", url, headers)

    def post(self, url: str, data: Mapping[str, str], *, referer: str | None = None) -> Fetched:
        return self.fetch("POST", url, {"Referer": referer} if referer else {}, data)

    def fetch(self, method: str, url: str, headers: dict[str, str], data: Mapping[str, str] | None = None) -> Fetched:
        self.check_allowed(url)
        self._check_robots(url)
        for _ in range(MAX_REDIRECTS + 1):
            got = self._request(method, url, headers, data)
            if got.status not in REDIRECTS:
                return got
            location = got.content.decode("utf-8", "replace")
            target = self.canonical(urljoin(self.wire(url), location), urlsplit(url).scheme)
            if urlsplit(target).hostname not in self.hosts:
                raise OffAllowlistError(f"refused redirect to {target} (host not a configured source)", url=url)
            url, method, data = target, ("GET" if got.status == 303 else method), data
        raise TransportError(f"more than {MAX_REDIRECTS} redirects", url=url)

    def _request(self, method: str, url: str, headers: dict[str, str], data) -> Fetched:
        attempts = self.settings.retries + 1
        wait = self.settings.backoff
        last_error = ""
        for attempt in range(attempts):
            if attempt:
                self._sleep(wait)
                wait *= 2
            self._wait_turn(url)
            try:
                self.requests += 1
                got = self._once(method, url, headers, data)
            except httpx.TimeoutException as exc:
                last_error = f"timed out after {self.settings.timeout:g}s ({type(exc).__name__})"
                continue
            except (httpx.TransportError, httpx.DecodingError) as exc:
                last_error = _describe_transport(exc)
                continue
            if got.status in RETRY_STATUS:
                last_error = f"HTTP {got.status}"
                continue
            if got.status >= 400:
                raise HTTPStatusError(f"HTTP {got.status}", url=url, status=got.status)
            return got
        if last_error.startswith("HTTP "):
            raise HTTPStatusError(f"{last_error} after {attempts} attempts", url=url, status=int(last_error[5:8]))
        raise TransportError(f"{last_error} after {attempts} attempts", url=url)

    def _once(self, method: str, url: str, headers: dict[str, str], data) -> Fetched:
        cap = self.settings.max_bytes
        with self._http.stream(method, self.wire(url), headers=headers, data=data) as resp:
            if resp.status_code in REDIRECTS:
                return Fetched(url, resp.status_code, resp.headers.get("location", "").encode(), "", "")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise TooLargeError(f"response of {int(declared):,} bytes is over the cap of {cap:,}", url=url)
            chunks, size = [], 0
            for chunk in resp.iter_raw():
                size += len(chunk)
                if size > cap:
                    raise TooLargeError(f"response is over the cap of {cap:,} bytes", url=url)
                chunks.append(chunk)
            content = b"".join(chunks)
            if resp.headers.get("content-encoding"):
                content = _decode_body(resp, content)
                if len(content) > cap:
                    raise TooLargeError(f"decompressed response is over the cap of {cap:,} bytes", url=url)
        return Fetched(
            url=url,
            status=resp.status_code,
            content=content if resp.status_code != 304 else b"",
            content_type=resp.headers.get("content-type", ""),
            sha256=hashlib.sha256(content).hexdigest() if resp.status_code == 200 else "",
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
            not_modified=resp.status_code == 304,
        )


def _decode_body(resp: httpx.Response, raw: bytes) -> bytes:
    """Undo Content-Encoding ourselves: iter_raw keeps the byte cap honest against compression bombs."""
    import gzip
    import zlib

    encoding = resp.headers.get("content-encoding", "").lower()
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


def _describe_transport(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "peer closed connection without sending complete message body" in text or "incomplete" in text.lower():
        return f"truncated body ({text})"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({text})"
    if isinstance(exc, (httpx.ReadError, httpx.RemoteProtocolError)):
        return f"connection reset or broken ({text})"
    return text
