"""The store: killed mid-crawl it stays consistent, and a rerun finishes with no duplicates and nothing lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import CORPUS, serve, settings_for
from mirror_edit import set_fault

from tracker.crawl import Crawler
from tracker.errors import StoreError
from tracker.store.db import connect
from tracker.store.repository import Store

CLOCK = "2025-10-10"
SLOW_PAGE = "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_f3a1432ba20248eca12ff7b91bc73fda.html"


def versions(home) -> list[tuple]:
    with sqlite3.connect(home / "tracker.sqlite3") as conn:
        return sorted(conn.execute("SELECT notice_id, lang, seq, content_sha FROM version").fetchall())


def full_crawl(home, base_url):
    with Store(home) as store:
        crawler = Crawler(settings_for(home, base_url), store)
        try:
            return crawler.run()
        finally:
            crawler.close()


def test_killed_crawl_leaves_a_consistent_store_and_a_rerun_completes_it(tmp_path, mirror_copy):
    reference = tmp_path / "reference"
    with serve(CORPUS, CLOCK) as server:
        full_crawl(reference, server.base_url)
    expected = versions(reference)
    assert len(expected) >= 15

    home = tmp_path / "killed"
    set_fault(mirror_copy, SLOW_PAGE, "slow:60")  # the crawl hangs here, after committing many pages
    with serve(mirror_copy, CLOCK) as server:
        env = {**os.environ, "TRACKER_HOME": str(home)}
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "crawl", "--mirror", server.base_url],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if (home / "tracker.sqlite3").exists() and server.mirror.hits.get(SLOW_PAGE):
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the crawl never reached the slow page")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    partial = versions(home)
    assert 0 < len(partial) < len(expected)
    assert set(partial) <= set(expected), "what was committed is exactly what a clean crawl stores"
    with sqlite3.connect(home / "tracker.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    with serve(CORPUS, CLOCK) as server:
        report = full_crawl(home, server.base_url)
        assert report.failed == []
        assert versions(home) == expected, "the rerun finished the work: nothing lost, nothing duplicated"
        again = full_crawl(home, server.base_url)
        assert (again.new, again.changed, again.parsed_pages) == ([], [], 0)
        assert versions(home) == expected


def test_migrations_are_ordered_idempotent_and_refuse_a_newer_store(tmp_path):
    conn = connect(tmp_path / "s.sqlite3")
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migration ORDER BY name")]
    from tracker.store.migrations import MIGRATIONS

    assert names == [name for name, _ in MIGRATIONS] and names[0] == "0001_initial"
    conn.close()
    conn = connect(tmp_path / "s.sqlite3")  # reopening applies nothing twice
    assert conn.execute("SELECT COUNT(*) FROM schema_migration").fetchone()[0] == len(MIGRATIONS)
    conn.execute("INSERT INTO schema_migration VALUES ('9999_future', 'x')")
    conn.close()
    with pytest.raises(StoreError, match="newer tracker"):
        connect(tmp_path / "s.sqlite3")


def test_blobs_are_content_addressed_and_kept(tmp_path):
    from tracker.store.blobs import BlobStore

    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"raw bytes")
    assert blobs.put(b"raw bytes") == sha and blobs.get(sha) == b"raw bytes"
    assert blobs.path(sha).parent.parent.name == sha[:2]
    assert not list(tmp_path.rglob("*.tmp"))
