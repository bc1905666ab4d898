"""BM25 over chunk texts: jieba for Chinese runs, words for Latin text, codes and numbers kept whole."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

TOKEN = re.compile(r"\d[A-E]\d{3}(?:\.[a-z](?:\.\d{1,2})?)?|\d+(?:\.\d+)?%?|[A-Za-z]+|[\u3400-\u9fff]+")
STOP = {"the", "of", "and", "a", "an", "to", "in", "on", "for", "is", "are", "be", "by", "or", "with", "that", "this",
        "as", "at", "from", "which", "what", "does", "do", "it", "its", "was", "were", "的", "了", "和", "与", "及",
        "是", "在", "对", "为", "哪些", "什么", "吗", "是否", "多少"}


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    out: list[str] = []
    for tok in TOKEN.findall(text):
        if re.match(r"[\u3400-\u9fff]", tok):
            out += [w for w in _jieba().lcut(tok) if w.strip() and w not in STOP]
            out += list(tok) if len(tok) <= 3 else []  # characters too: element names are one character
        else:
            low = tok.lower()
            if low not in STOP:
                out.append(low)
    return out


class Lexical:
    def __init__(self, texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        self.corpus = [tokenize(t) for t in texts]
        self.bm25 = BM25Okapi(self.corpus) if texts else None

    def scores(self, query: str):
        import numpy as np

        if self.bm25 is None:
            return np.zeros(0)
        return self.bm25.get_scores(tokenize(query))
