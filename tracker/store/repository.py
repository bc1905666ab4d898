"""The store: what the crawler writes and the CLI reads. Every page is committed in one transaction with its
annexes, its URL state (ETag, hash) and its version, so a killed crawl leaves nothing half-written and a rerun
redoes exactly the pages that were not committed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tracker.store.blobs import BlobStore
from tracker.store.codec import annex_from_json, content_hash, dumps, page_from_json
from tracker.store.db import connect, now
from tracker.types import AnnexLink, DocNumber, Fetched, Listing, ParsedAnnex, ParsedPage


@dataclass(frozen=True)
class AnnexResult:
    """One annex of a page as fetched in this crawl."""

    n: int
    link: AnnexLink
    fetched: Fetched
    sha256: str
    status: str  # parsed | raw | needs_ocr
    parsed: ParsedAnnex | None
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    notice_id: str
    new_notice: bool
    version: int | None  # seq of the new version, None when the content was already stored
    lang: str


class Store:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.conn: sqlite3.Connection = connect(home / "tracker.sqlite3")
        self.blobs = BlobStore(home / "blobs")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- runs and events -------------------------------------------------------------------------------------
    def start_run(self) -> int:
        with self.transaction() as c:
            return c.execute("INSERT INTO run (started) VALUES (?)", (now(),)).lastrowid

    def finish_run(self, run_id: int, report: dict) -> None:
        with self.transaction() as c:
            c.execute("UPDATE run SET finished = ?, report = ? WHERE id = ?", (now(), json.dumps(report), run_id))

    def event(self, run_id: int | None, kind: str, *, notice_id: str | None = None, url: str | None = None,
              detail: str = "") -> None:
        with self.transaction() as c:
            self._event(c, run_id, kind, notice_id, url, detail)

    @staticmethod
    def _event(c, run_id, kind, notice_id, url, detail) -> None:
        c.execute("INSERT INTO event (run_id, at, kind, notice_id, url, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  (run_id, now(), kind, notice_id, url, detail))

    # -- URLs and snapshots ----------------------------------------------------------------------------------
    def url_row(self, url: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM url WHERE url = ?", (url,)).fetchone()

    def known_pages(self) -> dict[str, sqlite3.Row]:
        return {r["url"]: r for r in self.conn.execute("SELECT * FROM url WHERE kind = 'page' ORDER BY first_seen")}

    def page_parse(self, sha256: str) -> ParsedPage | None:
        row = self.conn.execute("SELECT parsed FROM page_parse WHERE sha256 = ?", (sha256,)).fetchone()
        return page_from_json(row[0]) if row else None

    def annex_parse(self, sha256: str) -> tuple[str, ParsedAnnex | None, str] | None:
        row = self.conn.execute("SELECT status, parsed, note FROM annex_parse WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        return row["status"], annex_from_json(row["parsed"]) if row["parsed"] else None, row["note"] or ""

    def _snapshot(self, c, fetched: Fetched, kind: str, listing: Listing | None = None,
                  notice_id: str | None = None, state: str = "ok") -> None:
        """Record what a URL served (its bytes are already in the blob store) and its HTTP validators."""
        stamp = now()
        if not fetched.not_modified:
            c.execute("INSERT OR IGNORE INTO snapshot (sha256, size, content_type, first_seen) VALUES (?, ?, ?, ?)",
                      (fetched.sha256, len(fetched.content), fetched.content_type, stamp))
        c.execute(
            """INSERT INTO url (url, kind, host, first_seen, last_checked, etag, last_modified, sha256, state,
                                list_id, list_title, list_date, notice_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET
                 last_checked = excluded.last_checked,
                 etag = COALESCE(excluded.etag, url.etag),
                 last_modified = COALESCE(excluded.last_modified, url.last_modified),
                 sha256 = COALESCE(excluded.sha256, url.sha256),
                 state = excluded.state,
                 list_id = COALESCE(excluded.list_id, url.list_id),
                 list_title = COALESCE(excluded.list_title, url.list_title),
                 list_date = COALESCE(excluded.list_date, url.list_date),
                 notice_id = COALESCE(excluded.notice_id, url.notice_id)""",
            (fetched.url, kind, urlsplit(fetched.url).hostname, stamp, stamp, fetched.etag, fetched.last_modified,
             fetched.sha256 or None, state, listing.list_id if listing else None, listing.title if listing else None,
             listing.date if listing else None, notice_id))
        if not fetched.not_modified:
            c.execute("INSERT OR IGNORE INTO url_snapshot (url, sha256, seen_at) VALUES (?, ?, ?)",
                      (fetched.url, fetched.sha256, stamp))

    def mark_removed(self, run_id: int, fetched: Fetched, listing: Listing | None) -> bool:
        """The URL now serves the portal shell. Returns True when it had served an article before."""
        row = self.url_row(fetched.url)
        with self.transaction() as c:
            self._snapshot(c, fetched, "page", listing, state="removed")
            if row is not None and row["state"] == "ok":
                self._event(c, run_id, "removed", row["notice_id"], fetched.url, "page serves no article any more")
                return True
        return False

    # -- notices and versions --------------------------------------------------------------------------------
    def resolve(self, number: DocNumber) -> str | None:
        """The stored notice a number names: exact id, or (for English pages that name fewer issuers) the one
        notice of that form, year and number whose issuers include them all."""
        if self.conn.execute("SELECT 1 FROM notice WHERE id = ?", (number.id,)).fetchone():
            return number.id
        if number.form in ("unnumbered", "interpretation"):
            return None
        rows = self.conn.execute("SELECT id, issuers FROM notice WHERE year IS ? AND seq = ?",
                                 (number.year, number.seq)).fetchall()
        matches = [r["id"] for r in rows if set(number.issuers) <= set(json.loads(r["issuers"]))]
        return matches[0] if len(matches) == 1 else None

    def _interpretation_in_chinese(self, parsed: ParsedPage) -> str | None:
        """An English interpretation page is the English version of the one Chinese interpretation of the same
        day (titles differ across languages, so the title key cannot join them)."""
        if parsed.kind != "interpretation" or parsed.lang != "en" or not parsed.issued:
            return None
        rows = self.conn.execute("SELECT n.id FROM notice n WHERE n.kind = 'interpretation' AND n.issued = ? AND "
                                 "EXISTS (SELECT 1 FROM version v WHERE v.notice_id = n.id AND v.lang = 'zh') AND NOT "
                                 "EXISTS (SELECT 1 FROM version v WHERE v.notice_id = n.id AND v.lang = 'en')",
                                 (parsed.issued,)).fetchall()
        return rows[0]["id"] if len(rows) == 1 else None

    def audit(self, kind: str, input_: dict, output: dict, component: str, latency_ms: float) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO audit (at, kind, input, output, component, latency_ms) VALUES (?, ?, ?, ?, ?, ?)",
                      (now(), kind, json.dumps(input_, ensure_ascii=False), json.dumps(output, ensure_ascii=False),
                       component, latency_ms))

    def commit_page(self, run_id: int, page_fetch: Fetched, listing: Listing | None, parsed: ParsedPage,
                    annexes: list[AnnexResult], observed_on: str | None = None) -> Outcome:
        assert parsed.number is not None
        digest = content_hash(parsed, [(a.link.title, a.sha256) for a in annexes])
        with self.transaction() as c:
            notice_id = self.resolve(parsed.number) or self._interpretation_in_chinese(parsed)
            new_notice = notice_id is None
            if new_notice:
                notice_id = parsed.number.id
                c.execute("""INSERT INTO notice (id, kind, number, issuers, year, seq, title, title_en, issued,
                             first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                          (notice_id, parsed.kind, parsed.number.text, json.dumps(list(parsed.number.issuers)),
                           parsed.number.year, parsed.number.seq, parsed.title if parsed.lang == "zh" else "",
                           parsed.title if parsed.lang == "en" else "", parsed.issued, now()))
            elif parsed.lang == "zh":
                c.execute("UPDATE notice SET number = ?, title = ?, issued = COALESCE(?, issued) WHERE id = ?",
                          (parsed.number.text, parsed.title, parsed.issued, notice_id))
            else:
                c.execute("UPDATE notice SET title_en = ? WHERE id = ?", (parsed.title, notice_id))
            self._snapshot(c, page_fetch, "page", listing, notice_id)
            if not page_fetch.not_modified:
                c.execute("INSERT OR IGNORE INTO page_parse (sha256, parsed) VALUES (?, ?)",
                          (page_fetch.sha256, dumps(parsed)))
            page_sha = page_fetch.sha256 or self.url_row(page_fetch.url)["sha256"]
            for a in annexes:
                self._snapshot(c, a.fetched, "annex", None, notice_id)
                c.execute("INSERT OR IGNORE INTO annex_parse (sha256, status, pages, parsed, note) VALUES (?,?,?,?,?)",
                          (a.sha256, a.status, len(a.parsed.pages) if a.parsed else 0,
                           dumps(a.parsed) if a.parsed else None, a.note))
            seq = None
            exists = c.execute("SELECT 1 FROM version WHERE notice_id = ? AND lang = ? AND content_sha = ?",
                               (notice_id, parsed.lang, digest)).fetchone()
            if not exists:
                seq = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM version WHERE notice_id = ? AND lang = ?",
                                (notice_id, parsed.lang)).fetchone()[0]
                vid = c.execute("""INSERT INTO version (notice_id, lang, seq, content_sha, page_url, page_sha,
                                   created_at, run_id, observed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                                (notice_id, parsed.lang, seq, digest, page_fetch.url, page_sha, now(), run_id,
                                 observed_on or now()[:10])).lastrowid
                for a in annexes:
                    c.execute("INSERT INTO version_annex (version_id, n, url, title, ext, sha256) VALUES (?,?,?,?,?,?)",
                              (vid, a.n, a.link.url, a.link.title, a.link.ext, a.sha256))
                kind = "new_notice" if new_notice else "new_version"
                self._event(c, run_id, kind, notice_id, page_fetch.url, f"{parsed.lang} v{seq}")
        return Outcome(notice_id, new_notice, seq, parsed.lang)

    # -- reading ---------------------------------------------------------------------------------------------
    def notices(self, kind: str | None = None) -> list[dict]:
        rows = self.conn.execute("SELECT * FROM notice WHERE (? IS NULL OR kind = ?) ORDER BY issued, id",
                                 (kind, kind)).fetchall()
        return [self._notice_dict(r) for r in rows]

    def notice(self, notice_id: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM notice WHERE id = ?", (notice_id,)).fetchone()
        return self._notice_dict(row, full=True) if row else None

    def _notice_dict(self, row: sqlite3.Row, full: bool = False) -> dict:
        urls = self.conn.execute("SELECT url, state, list_date FROM url WHERE notice_id = ? AND kind = 'page' "
                                 "ORDER BY first_seen", (row["id"],)).fetchall()
        versions = self.conn.execute("SELECT * FROM version WHERE notice_id = ? ORDER BY lang DESC, seq",
                                     (row["id"],)).fetchall()
        out = {
            "id": row["id"], "kind": row["kind"], "number": row["number"], "title": row["title"],
            "title_en": row["title_en"], "issuers": json.loads(row["issuers"]), "issued": row["issued"],
            "urls": [{"url": u["url"], "state": u["state"]} for u in urls],
            "versions": {lang: sum(1 for v in versions if v["lang"] == lang) for lang in ("zh", "en")
                         if any(v["lang"] == lang for v in versions)},
            "languages": sorted({v["lang"] for v in versions}, key=lambda x: x != "zh"),
        }
        if full:
            out["history"] = [self._version_dict(v) for v in versions]
        return out

    def _version_dict(self, v: sqlite3.Row) -> dict:
        annexes = self.conn.execute(
            "SELECT va.*, ap.status, ap.pages, ap.note FROM version_annex va LEFT JOIN annex_parse ap "
            "ON ap.sha256 = va.sha256 WHERE version_id = ? ORDER BY n", (v["id"],)).fetchall()
        return {
            "lang": v["lang"], "version": v["seq"], "created_at": v["created_at"], "observed_on": v["observed_on"],
            "url": v["page_url"],
            "page_sha256": v["page_sha"],
            "annexes": [{"n": a["n"], "title": a["title"], "url": a["url"], "ext": a["ext"], "sha256": a["sha256"],
                         "status": a["status"], "pages": a["pages"], "note": a["note"] or ""} for a in annexes],
        }

    def version_page(self, notice_id: str, lang: str = "zh", seq: int | None = None) -> ParsedPage | None:
        """The parsed page of a version (the latest when seq is None)."""
        row = self.conn.execute(
            "SELECT page_sha FROM version WHERE notice_id = ? AND lang = ? AND (? IS NULL OR seq = ?) "
            "ORDER BY seq DESC LIMIT 1", (notice_id, lang, seq, seq)).fetchone()
        return self.page_parse(row["page_sha"]) if row else None

    def counts(self) -> dict[str, int]:
        return {t: self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                for t in ("notice", "version", "url", "snapshot", "annex_parse", "event")}
