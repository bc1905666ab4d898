"""How well a passage holds a question's words: IDF-weighted, English words lightly stemmed, an English question
read against Chinese text through the glossary; dates and notice numbers are left out (they are handled as
structure: the as-of date, the notices named)."""

from __future__ import annotations

import re
from functools import lru_cache

from tracker.index.lexical import tokenize
from tracker.structure.glossary import expand_en

_IDF: dict[str, float] = {}


def set_idf(lexical) -> None:
    """Term weights from the BM25 index: rare words (a code, 纯度, 氢破) weigh more than common ones (出口)."""
    _IDF.clear()
    _terms.cache_clear()
    if lexical.bm25 is not None:
        _IDF.update(lexical.bm25.idf)


def _stem(word: str) -> str:
    """A light English stem, so 'magnets' finds 'magnet' and 'exported' finds 'export' (substring match after)."""
    if not re.match(r"[a-z]{5,}$", word):
        return word
    for suffix in ("ies", "ing", "ed", "es", "s", "y"):  # technologies / technology -> technolog
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)]
    return word


_CONDITIONS = [re.compile(p) for p in (
    r"\d{4}-\d{1,2}-\d{1,2}", r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?",
    r"(?:(?:19|20)\d{2}\s*年\s*)?第\s*\d{1,3}\s*号(?:公告)?",
    r"(?i)\b(?:No\.?|Number|Announcement|Notice|Decree)\s*\d{1,3}(?:\s*(?:of|/)\s*\d{4})?",
    r"(?i)\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},?"
    r"\s+\d{4}")]


def _content(question: str) -> str:
    """The question without what is handled as structure: dates (the as-of date) and notice numbers (the
    notices named), so that coverage measures the words of what is asked."""
    for rx in _CONDITIONS:
        question = rx.sub(" ", question)
    return question


@lru_cache(maxsize=512)
def _terms(question: str, cross: bool) -> tuple[tuple[tuple[str, ...], ...], tuple[float, ...], float]:
    """The question's content words (each with its accepted forms), their IDF weights, and the discount of an
    English question read against Chinese text."""
    question = _content(question)
    if cross:
        source = expand_en(question) + " " + " ".join(re.findall(r"\d[A-E]\d{3}[.\w]*|\d+(?:\.\d+)?%?", question))
    elif re.search(r"[\u4e00-\u9fff]", question):
        source = question + " " + expand_en(question)  # Latin words of a Chinese question (NdFeB) cross too
    else:
        source = question  # English read against English: Chinese glossary terms could never match
    words = list(dict.fromkeys(w for w in tokenize(source) if len(w) > 1 or re.match(r"[\u3400-\u9fff]", w)))
    forms = tuple(tuple(dict.fromkeys((w.lower(), _stem(w.lower())))) for w in words)
    weights = tuple(max(_IDF.get(w, 1.0), 0.05) for w in words)
    discount = 1.0
    if cross and words:  # only part of an English question can be matched in Chinese: discount by how much
        english = [w for w in tokenize(question) if re.match(r"[a-z]{3,}", w)]
        discount = min(1.0, len(words) / max(3, len(english)))
    return forms, weights, discount


def coverage(question: str, text: str) -> float:
    """IDF-weighted share of the question's content words found in the text. An English question read against
    a Chinese passage counts only what can cross languages: glossary terms, codes, numbers."""
    cross = not re.search(r"[\u4e00-\u9fff]", question) and len(re.findall(r"[\u4e00-\u9fff]", text)) > 8
    forms, weights, discount = _terms(question, cross)
    if not forms:
        return 0.0
    low = text.lower()
    have = sum(wt for f, wt in zip(forms, weights, strict=True) if any(x in low for x in f))
    return have / sum(weights) * discount


def _best_sentence(question: str, body: str) -> str:
    """The one or two sentences of a long clause that hold the question's words best, in document order."""
    parts = [p for p in re.split(r"(?<=[。；;])|(?<!\bNo\.)(?<!\bNos\.)(?<!\bArt\.)(?<!\bpara\.)(?<=\.)\s+|\n", body)
             if p.strip()]
    if not parts:
        return body[:200]
    ranked = sorted(range(len(parts)), key=lambda i: -coverage(question, parts[i]))[:2]
    return " ".join(parts[i].strip() for i in sorted(ranked))  # whole sentences, never cut mid-word
