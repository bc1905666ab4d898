"""Align two clause lists: by stable label first, then the leftovers by meaning.

1. Same label on both sides -> a pair, unless the texts differ and either text reappears verbatim elsewhere on
   the other side (a renumbering shifts labels; the verbatim match wins), or the pair is too dissimilar.
2. Leftovers with identical normalised text -> pairs (renumbered / moved, unchanged wording).
3. Remaining leftovers paired greedily by similarity = max(embedding cosine, token ratio) >= threshold.
4. What is left is added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.diff.tokens import normalise, ratio
from tracker.embeddings import Embedder
from tracker.types import Clause

LABEL_FLOOR = 0.35  # a same-label pair less similar than this is two different clauses
PAIR_THRESHOLD = 0.55


@dataclass(frozen=True)
class Pair:
    old: Clause | None
    new: Clause | None
    how: str  # label | verbatim | similar | added | removed
    similarity: float | None = None


def align(old: list[Clause], new: list[Clause], embedder: Embedder | None) -> list[Pair]:
    old_by_label = {c.label: c for c in old}
    new_by_label = {c.label: c for c in new}
    old_norm = {c.label: normalise(c.text) for c in old}
    new_norm = {c.label: normalise(c.text) for c in new}
    old_texts, new_texts = set(old_norm.values()), set(new_norm.values())
    pairs: list[Pair] = []
    used_old: set[str] = set()
    used_new: set[str] = set()
    for label, o in old_by_label.items():
        n = new_by_label.get(label)
        if n is None:
            continue
        same = old_norm[label] == new_norm[label]
        if not same and (new_norm[label] in old_texts or old_norm[label] in new_texts):
            continue  # the texts live on under other labels: let the verbatim pass pair them
        sim = 1.0 if same else ratio(o.text, n.text)
        if not same and sim < LABEL_FLOOR and o.kind == n.kind and not _row(o):
            continue
        pairs.append(Pair(o, n, "label", sim))
        used_old.add(label)
        used_new.add(label)
    left_old = [c for c in old if c.label not in used_old]
    left_new = [c for c in new if c.label not in used_new]
    by_text: dict[str, list[Clause]] = {}
    for c in left_new:
        by_text.setdefault(new_norm[c.label], []).append(c)
    for o in list(left_old):
        candidates = by_text.get(old_norm[o.label])
        if candidates and old_norm[o.label]:
            n = candidates.pop(0)
            pairs.append(Pair(o, n, "verbatim", 1.0))
            left_old.remove(o)
            left_new.remove(n)
    if left_old and left_new:
        pairs += _by_similarity(left_old, left_new, embedder)
        paired_old = {p.old.label for p in pairs if p.old}
        paired_new = {p.new.label for p in pairs if p.new}
        left_old = [c for c in left_old if c.label not in paired_old]
        left_new = [c for c in left_new if c.label not in paired_new]
    pairs += [Pair(o, None, "removed") for o in left_old]
    pairs += [Pair(None, n, "added") for n in left_new]
    order = {c.label: i for i, c in enumerate(new)}
    old_order = {c.label: i for i, c in enumerate(old)}
    pairs.sort(key=lambda p: (order.get(p.new.label, 10**6) if p.new else old_order.get(p.old.label, 0) + 0.5))
    return pairs


def _row(c: Clause) -> bool:
    return c.kind == "annex_row"


def _by_similarity(left_old: list[Clause], left_new: list[Clause], embedder: Embedder | None) -> list[Pair]:
    lexical = np.array([[ratio(o.text, n.text) for n in left_new] for o in left_old], dtype=np.float32)
    sim = lexical
    if embedder is not None:
        vectors = embedder.encode([c.text for c in left_old] + [c.text for c in left_new])
        dense = vectors[: len(left_old)] @ vectors[len(left_old):].T
        sim = np.maximum(lexical, dense)
    kind_ok = np.array([[o.kind == n.kind for n in left_new] for o in left_old])
    sim = np.where(kind_ok, sim, 0.0)
    out: list[Pair] = []
    taken_o: set[int] = set()
    taken_n: set[int] = set()
    for flat in np.argsort(-sim, axis=None):
        i, j = divmod(int(flat), len(left_new))
        if sim[i, j] < PAIR_THRESHOLD:
            break
        if i in taken_o or j in taken_n:
            continue
        taken_o.add(i)
        taken_n.add(j)
        out.append(Pair(left_old[i], left_new[j], "similar", round(float(sim[i, j]), 3)))
    return out
