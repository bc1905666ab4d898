"""Ordered, append-only schema migrations. Never edit a migration that has shipped: add the next one."""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
CREATE TABLE snapshot (                 -- raw bytes, content-addressed; the bytes live in blobs/
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    first_seen   TEXT NOT NULL
);
CREATE TABLE notice (                   -- identity = document number, never the URL
    id         TEXT PRIMARY KEY,        -- e.g. mofcom-gacc-2025-18
    kind       TEXT NOT NULL DEFAULT 'notice',
    number     TEXT NOT NULL,           -- as printed in 【发布文号】
    issuers    TEXT NOT NULL,           -- JSON list of abbreviations
    year       INTEGER,
    seq        INTEGER,
    title      TEXT NOT NULL DEFAULT '',
    title_en   TEXT NOT NULL DEFAULT '',
    issued     TEXT,
    first_seen TEXT NOT NULL
);
CREATE TABLE url (                      -- every page and annex URL ever fetched (canonical, real-site URLs)
    url           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('page', 'annex')),
    host          TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_checked  TEXT,
    etag          TEXT,
    last_modified TEXT,
    sha256        TEXT REFERENCES snapshot(sha256),
    state         TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'removed')),
    list_id       TEXT,
    list_title    TEXT,
    list_date     TEXT,
    notice_id     TEXT REFERENCES notice(id)
);
CREATE TABLE url_snapshot (             -- the history of what each URL served
    url     TEXT NOT NULL REFERENCES url(url),
    sha256  TEXT NOT NULL REFERENCES snapshot(sha256),
    seen_at TEXT NOT NULL,
    PRIMARY KEY (url, sha256)
);
CREATE TABLE page_parse (               -- parse of a page snapshot (JSON of ParsedPage)
    sha256 TEXT PRIMARY KEY REFERENCES snapshot(sha256),
    parsed TEXT NOT NULL
);
CREATE TABLE annex_parse (              -- parse of an annex snapshot, or why there is none
    sha256 TEXT PRIMARY KEY REFERENCES snapshot(sha256),
    status TEXT NOT NULL CHECK (status IN ('parsed', 'raw', 'needs_ocr')),
    pages  INTEGER NOT NULL DEFAULT 0,
    parsed TEXT,                        -- JSON of ParsedAnnex
    note   TEXT
);
CREATE TABLE version (                  -- a distinct content of a notice in one language
    id          INTEGER PRIMARY KEY,
    notice_id   TEXT NOT NULL REFERENCES notice(id),
    lang        TEXT NOT NULL,
    seq         INTEGER NOT NULL,       -- 1, 2, ... per notice and language
    content_sha TEXT NOT NULL,          -- hash of metadata + blocks + annex hashes
    page_url    TEXT NOT NULL,
    page_sha    TEXT NOT NULL REFERENCES snapshot(sha256),
    created_at  TEXT NOT NULL,
    run_id      INTEGER,
    UNIQUE (notice_id, lang, content_sha),
    UNIQUE (notice_id, lang, seq)
);
CREATE TABLE version_annex (
    version_id INTEGER NOT NULL REFERENCES version(id),
    n          INTEGER NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    ext        TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES snapshot(sha256),
    PRIMARY KEY (version_id, n)
);
CREATE TABLE run (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    finished TEXT,
    report   TEXT
);
CREATE TABLE event (                    -- what each run found: new notice, new version, removal, error
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER REFERENCES run(id),
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    notice_id TEXT,
    url       TEXT,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX version_notice ON version(notice_id, lang, seq);
CREATE INDEX url_notice ON url(notice_id);
CREATE INDEX event_run ON event(run_id);
"""),
    ("0002_observed_and_audit", """
ALTER TABLE version ADD COLUMN observed_on TEXT;   -- the day the change was first seen (Last-Modified or crawl day)
UPDATE version SET observed_on = substr(created_at, 1, 10) WHERE observed_on IS NULL;
CREATE TABLE audit (                    -- every ChangeSet and answer leaves a row
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,           -- diff | compare | changes | ask
    input      TEXT NOT NULL,           -- JSON: what was asked
    output     TEXT NOT NULL,           -- JSON: keys, citations, summary
    component  TEXT NOT NULL DEFAULT '',-- engine / answerer and its version (model, prompt)
    latency_ms REAL
);
"""),
    ("0003_index", """
CREATE TABLE chunk (                    -- retrieval units; rebuilt from the store at any time
    id        INTEGER PRIMARY KEY,      -- the FAISS row id
    key       TEXT NOT NULL UNIQUE,     -- stable citation key: <notice>:<lang>:<label>
    notice_id TEXT NOT NULL,
    lang      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    labels    TEXT NOT NULL,            -- JSON list of the clause labels the chunk covers
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,            -- what is embedded and searched (with heading path and notice line)
    body      TEXT NOT NULL,            -- the clause text alone, for quotes
    url       TEXT NOT NULL,
    issued    TEXT,
    sha256    TEXT NOT NULL             -- of `text`: the embedding cache key
);
CREATE TABLE embedding (                -- cache: a text is embedded once per model
    model  TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    vector BLOB NOT NULL,               -- float32, unit length
    PRIMARY KEY (model, sha256)
);
"""),
]
