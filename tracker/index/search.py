"""Retrieval: dense (FAISS), lexical (BM25 + jieba) and exact lookup (notice numbers, control codes, customs
numbers, element names through the bilingual glossary), fused by reciprocal rank fusion; only documents issued on
or before the as-of date are eligible."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from tracker.embeddings import Embedder
from tracker.index.chunks import Chunk
from tracker.index.dense import read_index
from tracker.index.lexical import Lexical
from tracker.store.repository import Store
from tracker.structure.glossary import TERMS, expand_en, lookup
from tracker.structure.labels import CODE

RRF_K = 60
DEPTH = 60
HS = re.compile(r"(?<!\d)(\d{8}|\d{10})(?!\d)")
CN_REF = re.compile(r"(?:(\d{4})\s*年\s*)?第?\s*(\d{1,3})\s*号(?:令|公告)?")
EN_REF = re.compile(r"\b(?:No\.?|Number|Announcement|Notice|Decree)\s*(\d{1,3})(?:\s*(?:of|\[|\(|/)\s*(\d{4}))?", re.I)
QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|Wh/kg|g/cm³|mAh/g|MPa|GPa|nm|纳米|层|layers)", re.I)
EN_ELEMENT = re.compile(r"\b(" + "|".join(sorted((t.en for t in TERMS), key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    ranks: dict


@dataclass(frozen=True)
class Mentions:
    """What a question names explicitly."""

    notices: tuple[str, ...]  # notice ids resolved in the store
    ambiguous: tuple[tuple[str, ...], ...]  # a number that fits several notices (e.g. No. 57)
    codes: tuple[str, ...]
    customs: tuple[str, ...]
    elements: tuple[str, ...]  # symbols
    numbers: tuple[str, ...] = ()  # quantities with a unit: 0.1%, 300Wh/kg, 14纳米


def mentions(question: str, notices: list[dict]) -> Mentions:
    refs: list[tuple[int, int | None]] = []
    for m in CN_REF.finditer(question):
        refs.append((int(m.group(2)), int(m.group(1)) if m.group(1) else None))
    for m in EN_REF.finditer(question):
        refs.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None))
    found: list[str] = []
    ambiguous: list[tuple[str, ...]] = []
    numbered = [n for n in notices if n.get("kind", "notice") != "interpretation"]  # interpretations have no number
    for seq, year in refs:
        fits = [n["id"] for n in numbered if _seq(n) == seq and (year is None or _year(n) == year)]
        if len(fits) == 1:
            found.append(fits[0])
        elif len(fits) > 1:
            ambiguous.append(tuple(fits))
            found += fits
    elements = []
    for term in TERMS:
        if term.zh in question:
            elements.append(term.symbol)
    for m in EN_ELEMENT.finditer(question):
        elements.append(lookup(m.group(1).lower()).symbol)
    for sym in re.findall(r"\b(Dy|Tb|Sm|Gd|Lu|Sc|Ho|Er|Tm|Eu|Yb|Ga|Ge|Sb|Nd|Pr|La|Ce|W|Te|Bi|Mo|In|Li)\b", question):
        elements.append(sym)
    numbers = [m.group(0).replace(" ", "") for m in QUANTITY.finditer(question)]
    return Mentions(tuple(dict.fromkeys(found)), tuple(ambiguous), tuple(dict.fromkeys(CODE.findall(question))),
                    tuple(dict.fromkeys(HS.findall(question))), tuple(dict.fromkeys(elements)),
                    tuple(dict.fromkeys(numbers)))


def _seq(n: dict) -> int | None:
    m = re.search(r"(\d+)$", n["id"])
    return int(m.group(1)) if m and not n["id"].endswith(("1231",)) and len(m.group(1)) < 5 else None


def _year(n: dict) -> int | None:
    m = re.search(r"-(\d{4})-\d+$", n["id"])
    return int(m.group(1)) if m else None


class Retriever:
    """Loads the index once; `search` is cheap afterwards."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        rows = store.conn.execute("SELECT * FROM chunk ORDER BY id").fetchall()
        self.chunks = [Chunk(r["key"], r["notice_id"], r["lang"], r["version"], tuple(json.loads(r["labels"])),
                             r["kind"], r["text"], r["body"], r["url"], r["issued"], r["id"]) for r in rows]
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.dense = read_index(store.home, embedder.name)
        self.lexical = Lexical([c.text for c in self.chunks])
        self.notices = store.notices()
        self.languages: dict[str, set[str]] = {}
        for c in self.chunks:
            self.languages.setdefault(c.notice, set()).add(c.lang)

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, question: str, as_of: str, k: int = 8, found: Mentions | None = None) -> list[Hit]:
        found = found or mentions(question, self.notices)
        eligible = np.array([bool(c.issued) and c.issued <= as_of for c in self.chunks], dtype=bool)
        rankings: dict[str, list[int]] = {}
        if self.dense is not None and len(self.chunks):
            qv = self.embedder.encode([question])
            scores, ids = self.dense.search(qv, len(self.chunks))
            order = [self.by_id[int(i)] for i in ids[0] if i >= 0 and eligible[self.by_id[int(i)]]]
            rankings["dense"] = order[:DEPTH]
            # Notices published only in the other language compete on their own: an English question against
            # a Chinese-only notice ranks below every English passage in one list, but not in this one.
            lang = "zh" if re.search(r"[\u4e00-\u9fff]", question) else "en"
            other = [i for i in order if lang not in self.languages.get(self.chunks[i].notice, ())][:DEPTH]
            if other:
                rankings["dense_other_language"] = other
        lex = self.lexical.scores(question + " " + expand_en(question))
        if len(lex):
            order = np.argsort(-lex)
            rankings["bm25"] = [int(i) for i in order if lex[i] > 0 and eligible[i]][:DEPTH]
        exact = self._exact(found, eligible)
        if exact:
            rankings["exact"] = exact
        fused: dict[int, float] = {}
        ranks: dict[int, dict] = {}
        for name, ranking in rankings.items():
            weight = 2.0 if name == "exact" else 1.0
            for rank, idx in enumerate(ranking):
                fused[idx] = fused.get(idx, 0.0) + weight / (RRF_K + rank + 1)
                ranks.setdefault(idx, {})[name] = rank + 1
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        return [Hit(self.chunks[i], round(fused[i], 5), ranks[i]) for i in best]

    def _exact(self, found: Mentions, eligible: np.ndarray) -> list[int]:
        needles: list[tuple[str, float]] = [(c, 3.0) for c in found.codes] + [(h, 3.0) for h in found.customs]
        needles += [(q, 2.0) for q in found.numbers]
        for sym in found.elements:
            term = lookup(sym)
            if term:
                needles += [(term.zh, 1.0), (term.en, 1.0)]
        scored = []
        for i, chunk in enumerate(self.chunks):
            if not eligible[i]:
                continue
            score = sum(w for needle, w in needles if needle and needle.lower() in chunk.text.lower())
            if chunk.notice in found.notices:
                score += 2.0 if needles else 1.0
            if score:
                scored.append((score, -i))
        return [-i for _, i in sorted(scored, reverse=True)][:DEPTH]
