"""CJK-aware tokens for diffs: a control code, a number, a date part or a Latin word is one token; each Chinese
character is one token; punctuation is a token of its own (so punctuation-only edits can be told apart)."""

from __future__ import annotations

import difflib
import re
import unicodedata

TOKEN = re.compile(
    r"\d[A-E]\d{3}(?:\.[a-z](?:\.\d{1,2})?)?"  # control code 1C902.a
    r"|\d+(?:[.,]\d+)*%?"  # numbers, customs numbers, 0.1%
    r"|[A-Za-z]+(?:[-'][A-Za-z]+)*"  # Latin words
    r"|[\u3400-\u9fff]"  # one Chinese character
    r"|\S"  # punctuation and symbols
)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(unicodedata.normalize("NFKC", text))


def is_punct(token: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZ" for c in token)


def normalise(text: str) -> str:
    """Text without punctuation, spaces or width variants: equal when only cosmetics differ."""
    return "".join(t for t in tokens(text) if not is_punct(t)).lower()


def edits(old: str, new: str) -> list[tuple[str, str, str]]:
    """(op, old span, new span) for each changed run; op in replace / delete / insert."""
    a, b = tokens(old), tokens(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append((op, _join(a[i1:i2]), _join(b[j1:j2])))
    return out


def _join(toks: list[str]) -> str:
    out = ""
    for t in toks:
        if out and re.match(r"[A-Za-z0-9]", t) and re.match(r"[A-Za-z0-9%]", out[-1]):
            out += " "
        out += t
    return out


def ratio(old: str, new: str) -> float:
    """Lexical similarity on tokens (works for Chinese where an English-only embedder sees [UNK])."""
    a, b = tokens(old), tokens(new)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
