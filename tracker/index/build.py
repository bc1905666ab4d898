"""Build the search index from the store: chunks of the latest version of every notice in each language,
embeddings for new or changed chunks only, a FAISS file. Re-running with nothing new embeds nothing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from tracker.embeddings import Embedder
from tracker.index.chunks import chunks_of
from tracker.index.dense import embed_missing, write_index
from tracker.store.repository import Store
from tracker.understand import understand


@dataclass(frozen=True)
class IndexStats:
    chunks: int
    embedded: int
    seconds: float
    embed_seconds: float
    model: str


def build_index(store: Store, embedder: Embedder) -> IndexStats:
    started = time.perf_counter()
    chunks = []
    for notice in store.notices():
        for lang in notice["languages"]:
            st = understand(store, notice["id"], lang)
            if st is not None:
                chunks += chunks_of(st, with_annexes=lang == "zh" or "zh" not in notice["languages"])
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM chunk")
    conn.executemany(
        "INSERT INTO chunk (key, notice_id, lang, version, labels, kind, text, body, url, issued, sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.key, c.notice, c.lang, c.version, json.dumps(list(c.labels), ensure_ascii=False), c.kind, c.text, c.body,
          c.url, c.issued, c.sha256) for c in _unique(chunks)])
    conn.execute("COMMIT")
    t0 = time.perf_counter()
    embedded = embed_missing(conn, embedder, {c.sha256: c.text for c in chunks})
    embed_seconds = time.perf_counter() - t0
    write_index(conn, store.home, embedder.name)
    return IndexStats(len(chunks), embedded, time.perf_counter() - started, embed_seconds, embedder.name)


def _unique(chunks):
    seen = set()
    for c in chunks:
        if c.key not in seen:
            seen.add(c.key)
            yield c


def index_is_current(store: Store, model: str) -> bool:
    """Every latest version is chunked and the model's FAISS file exists."""
    from tracker.index.dense import index_path

    stale = store.conn.execute(
        "SELECT notice_id, lang, MAX(seq) FROM version GROUP BY notice_id, lang "
        "EXCEPT SELECT DISTINCT notice_id, lang, version FROM chunk").fetchone()
    return stale is None and index_path(store.home, model).exists()


def ensure_index(store: Store, embedder: Embedder) -> IndexStats | None:
    return None if index_is_current(store, embedder.name) else build_index(store, embedder)
