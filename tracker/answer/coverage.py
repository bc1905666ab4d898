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
    concepts.cache_clear()
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


PERCENT = re.compile(r"\d(?:\.\d+)?\s*[%％]")


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
    have = sum(wt for f, wt in zip(forms, weights, strict=True) if any(x in low for x in f)
               or (f[0].endswith("%") and PERCENT.search(low)))  # 95% is compared with the 97% a passage states
    return have / sum(weights) * discount


def _best_sentence(question: str, body: str) -> str:
    """The one or two sentences of a long clause that hold the question's words best, in document order."""
    parts = [p for p in re.split(r"(?<=[。；;])|(?<!\bNo\.)(?<!\bNos\.)(?<!\bArt\.)(?<!\bpara\.)(?<=\.)\s+|\n", body)
             if p.strip()]
    if not parts:
        return body[:200]
    ranked = sorted(range(len(parts)), key=lambda i: -coverage(question, parts[i]))[:2]
    return " ".join(parts[i].strip() for i in sorted(ranked))  # whole sentences, never cut mid-word


@lru_cache(maxsize=512)
def concepts(question: str) -> tuple[tuple[tuple[str, ...], float], ...]:
    """The question's content as concepts, each with every form it may take in either language ('sensor',
    'sensors', '传感器'), and its weight: to compare passages in different languages by what they hold."""
    from tracker.structure.glossary import EN_ZH, TERMS

    q = _content(question)
    out: list[tuple[tuple[str, ...], float]] = []
    if re.search(r"[\u4e00-\u9fff]", q):
        singles = {t.zh for t in TERMS if len(t.zh) == 1}
        for w in dict.fromkeys(tokenize(q)):
            if len(w) > 1 or w in singles:
                out.append(((w.lower(),), w))
    else:
        low = q.lower()
        pairs = sorted(list(EN_ZH.items()) + [(t.en, t.zh) for t in TERMS], key=lambda p: -len(p[0]))
        taken: set[str] = set()
        for en, zh in pairs:
            if en not in taken and re.search(rf"\b{re.escape(en)}\b", low):
                out.append(((en, _stem(en), zh), en))
                taken.update(re.split(r"[-\s/]", en) + [en])
        for w in dict.fromkeys(tokenize(q)):
            if re.match(r"[a-z0-9]", w) and w not in taken and len(w) > 1:
                out.append(((w, _stem(w)), w))
    return tuple((forms, max([_IDF.get(f, 0.0) for f in forms] + [_IDF.get(key, 1.0), 0.05])) for forms, key in out)


def held(question: str, text: str) -> set[int]:
    """Which of the question's concepts the text holds."""
    low = text.lower()
    return {i for i, (forms, _) in enumerate(concepts(question)) if any(f in low for f in forms)
            or (forms[0].endswith("%") and PERCENT.search(low))}


RARE = 3.0  # IDF above which a word is specific (in fewer than about 25 passages of the mirror)


def novelty(question: str, text: str, others: list[str]) -> float:
    """Weighted share of the question's specific concepts (rare words: 传感器, sensor) the text holds and none of
    the others do; common words (announcement, control, 出口) do not count."""
    english = not re.search(r"[\u4e00-\u9fff]", question)
    # In English only glossary terms can be specific (any English word is rare in a mostly Chinese mirror).
    parts = [(i, w) for i, (forms, w) in enumerate(concepts(question))
             if w >= RARE and (not english or any(re.search(r"[\u4e00-\u9fff]", f) for f in forms))]
    total = sum(w for _, w in parts)
    if not total:
        return 0.0
    seen = set().union(*(held(question, o) for o in others)) if others else set()
    new = held(question, text) - seen
    return sum(w for i, w in parts if i in new) / total
