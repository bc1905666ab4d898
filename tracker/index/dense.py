"""Dense vectors: an embedding cache in SQLite keyed by (model, sha256 of text), and a FAISS index written and
read with faiss itself (never pickled). Row ids of the index are chunk ids in SQLite."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tracker.embeddings import Embedder


CHUNKER_VERSION = 3  # bump when chunking changes: the index file name changes, so the index is rebuilt


def index_path(home: Path, model: str) -> Path:
    return home / "index" / f"dense-{re.sub(r'[^A-Za-z0-9._-]+', '_', model)}-c{CHUNKER_VERSION}.faiss"


def embed_missing(conn, embedder: Embedder, texts_by_sha: dict[str, str], batch: int = 64) -> int:
    known = {r[0] for r in conn.execute("SELECT sha256 FROM embedding WHERE model = ?", (embedder.name,))}
    todo = [(sha, text) for sha, text in texts_by_sha.items() if sha not in known]
    for i in range(0, len(todo), batch):
        part = todo[i: i + batch]
        vectors = embedder.encode([t for _, t in part])
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO embedding (model, sha256, vector) VALUES (?, ?, ?)",
                         [(embedder.name, sha, vectors[j].astype(np.float32).tobytes()) for j, (sha, _) in
                          enumerate(part)])
        conn.execute("COMMIT")
    return len(todo)


def write_index(conn, home: Path, model: str) -> tuple[Path, int]:
    import faiss

    rows = conn.execute("SELECT c.id, e.vector FROM chunk c JOIN embedding e ON e.sha256 = c.sha256 AND e.model = ? "
                        "ORDER BY c.id", (model,)).fetchall()
    path = index_path(home, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not rows:
        if path.exists():
            path.unlink()
        return path, 0
    matrix = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(matrix.shape[1]))
    index.add_with_ids(matrix, np.array([r[0] for r in rows], dtype=np.int64))
    tmp = path.with_suffix(".tmp")
    faiss.write_index(index, str(tmp))
    tmp.replace(path)
    return path, len(rows)


def read_index(home: Path, model: str):
    import faiss

    path = index_path(home, model)
    return faiss.read_index(str(path)) if path.exists() else None
