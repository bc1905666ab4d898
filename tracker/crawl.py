"""Ingest: discover through the list mechanisms, fetch pages and annexes, parse, store versions.

One page at a time, each committed with its annexes in one transaction. A failure is one line naming the URL;
the crawl goes on and nothing already stored changes. A second crawl with nothing changed parses nothing:
pages answer 304 or hash the same, and annex parses are cached by content hash.
"""

from __future__ import annotations

import logging
from datetime import date
from email.utils import parsedate_to_datetime
from collections.abc import Callable
from contextlib import nullcontext

from tracker.config import Settings
from tracker.errors import (
    CorruptDocumentError,
    EncryptedPDFError,
    NeedsOCRError,
    PageRemovedError,
    TrackerError,
)
from tracker.fetch.charset import decode_html
from tracker.fetch.client import Client
from tracker.fetch.discover import discover
from tracker.fetch.sources import load_sources
from tracker.parse.mofcom import parse_page
from tracker.parse.pdf import parse_pdf
from tracker.store.repository import AnnexResult, Store
from tracker.types import CrawlReport, Fetched, Listing, ParsedPage

log = logging.getLogger(__name__)


class Crawler:
    def __init__(self, settings: Settings, store: Store, client: Client | None = None) -> None:
        self.settings = settings
        self.store = store
        self.sources = load_sources(settings.sources)
        self.client = client or Client(settings, set(self.sources.hosts))
        self.report = CrawlReport()
        self.run_id = 0

    def close(self) -> None:
        self.client.close()

    def run(self, progress: Callable | None = None, today: str | None = None) -> CrawlReport:
        """Crawl once. `today` is the day changes are dated to when the server gives no Last-Modified
        (the demo passes its clock)."""
        self.today = today or date.today().isoformat()
        self.report = CrawlReport()
        self.run_id = self.store.start_run()
        known = self.store.known_pages()
        queue: dict[str, Listing | None] = {}
        for source in self.sources.lists:
            try:
                for listing in discover(self.client, source, set(known)):
                    queue.setdefault(listing.url, listing)
            except TrackerError as exc:
                self._fail(exc)
        for url in known:
            queue.setdefault(url, None)
        # Chinese pages first: an English page then finds its notice already stored.
        order = sorted(queue, key=lambda u: u.split("/")[2].startswith("english."))
        bar = progress(len(order)) if progress else nullcontext(lambda *_: None)
        with bar as advance:
            for url in order:
                try:
                    self._page(url, queue[url], known.get(url))
                except TrackerError as exc:
                    self._fail(exc)
                advance(url)
        self.store.finish_run(self.run_id, self.report.as_dict())
        return self.report

    def _fail(self, exc: TrackerError) -> None:
        line = exc.one_line()
        self.report.failed.append(line)
        self.store.event(self.run_id, "error", url=exc.url, detail=line)
        log.info("crawl error: %s", line)

    def _get(self, url: str, row) -> Fetched:
        fetched = self.client.get(url, etag=row["etag"] if row else None,
                                  last_modified=row["last_modified"] if row else None)
        self.report.fetched += 1
        if not fetched.not_modified:
            self.store.blobs.put(fetched.content)  # raw bytes kept, whatever happens next
        return fetched

    def _page(self, url: str, listing: Listing | None, row) -> None:
        fetched = self._get(url, row)
        if fetched.not_modified and row is not None and row["state"] == "ok":
            sha = row["sha256"]
            changed = False
        else:
            sha = fetched.sha256 if not fetched.not_modified else row["sha256"]
            changed = row is None or row["sha256"] != sha or row["state"] != "ok"
        parsed = None if changed else self.store.page_parse(sha)
        if parsed is None:
            content = fetched.content if not fetched.not_modified else self.store.blobs.get(sha)
            text, _ = decode_html(content, fetched.content_type, url)
            try:
                parsed = parse_page(url, text)
            except PageRemovedError:
                if row is not None and row["state"] == "removed" and row["sha256"] == sha:
                    self.report.unchanged += 1  # still removed; said once, when it happened
                    return
                if self.store.mark_removed(self.run_id, fetched, listing):
                    self.report.removed.append(url)
                    return
                raise
            self.report.parsed_pages += 1
            changed = True
        annexes = [self._annex(n, link, url) for n, link in enumerate(parsed.annexes, 1)]
        if not changed and not any(a.fetched.sha256 and a.fetched.sha256 != self._stored_sha(a.link.url)
                                   for a in annexes):
            self.report.unchanged += 1
            return
        self._commit(fetched, listing, parsed, annexes)

    def _stored_sha(self, url: str) -> str | None:
        row = self.store.url_row(url)
        return row["sha256"] if row else None

    def _annex(self, n: int, link, page_url: str) -> AnnexResult:
        row = self.store.url_row(link.url)
        fetched = self._get(link.url, row)
        sha = fetched.sha256 if not fetched.not_modified else row["sha256"]
        cached = self.store.annex_parse(sha)
        if cached is not None:
            status, parsed, note = cached
            return AnnexResult(n, link, fetched, sha, status, parsed, note)
        content = fetched.content if not fetched.not_modified else self.store.blobs.get(sha)
        is_pdf = link.ext == "pdf" or content.lstrip()[:5].startswith(b"%PDF")
        if not is_pdf:
            return AnnexResult(n, link, fetched, sha, "raw", None, f"stored raw ({link.ext})")
        try:
            parsed = parse_pdf(link.url, content)
        except NeedsOCRError as exc:
            self.report.failed.append(f"{exc.one_line()} (stored, flagged needs_ocr; from {page_url})")
            return AnnexResult(n, link, fetched, sha, "needs_ocr", None, str(exc))
        except (CorruptDocumentError, EncryptedPDFError) as exc:
            raise type(exc)(f"{exc}; annex of {page_url}, which is not updated until its annexes can be read",
                            url=link.url) from exc
        self.report.parsed_annex_pages += len(parsed.pages)
        return AnnexResult(n, link, fetched, sha, "parsed", parsed)

    def _commit(self, fetched: Fetched, listing: Listing | None, parsed: ParsedPage, annexes: list[AnnexResult]):
        stamps = [_http_day(f.last_modified) for f in [fetched] + [a.fetched for a in annexes] if not f.not_modified]
        observed = max([d for d in stamps if d and d <= self.today], default=self.today)
        outcome = self.store.commit_page(self.run_id, fetched, listing, parsed, annexes, observed)
        if outcome.new_notice:
            self.report.new.append(outcome.notice_id)
        elif outcome.version is not None and outcome.notice_id not in self.report.new \
                and outcome.notice_id not in self.report.changed:
            self.report.changed.append(outcome.notice_id)
        elif outcome.version is None:
            self.report.unchanged += 1


def _http_day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def crawl(settings: Settings, progress: Callable | None = None) -> CrawlReport:
    with Store(settings.home) as store:
        crawler = Crawler(settings, store)
        try:
            return crawler.run(progress)
        finally:
            crawler.close()
