"""The bilingual glossary of elements and materials the controls name (domain vocabulary, not notice facts)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    symbol: str
    zh: str
    en: str
    group: str  # rare_earth | metal | material


TERMS: tuple[Term, ...] = tuple(Term(*t) for t in [
    ("La", "镧", "lanthanum", "rare_earth"), ("Ce", "铈", "cerium", "rare_earth"),
    ("Pr", "镨", "praseodymium", "rare_earth"), ("Nd", "钕", "neodymium", "rare_earth"),
    ("Pm", "钷", "promethium", "rare_earth"), ("Sm", "钐", "samarium", "rare_earth"),
    ("Eu", "铕", "europium", "rare_earth"), ("Gd", "钆", "gadolinium", "rare_earth"),
    ("Tb", "铽", "terbium", "rare_earth"), ("Dy", "镝", "dysprosium", "rare_earth"),
    ("Ho", "钬", "holmium", "rare_earth"), ("Er", "铒", "erbium", "rare_earth"),
    ("Tm", "铥", "thulium", "rare_earth"), ("Yb", "镱", "ytterbium", "rare_earth"),
    ("Lu", "镥", "lutetium", "rare_earth"), ("Sc", "钪", "scandium", "rare_earth"),
    ("Y", "钇", "yttrium", "rare_earth"),
    ("Ga", "镓", "gallium", "metal"), ("Ge", "锗", "germanium", "metal"), ("Sb", "锑", "antimony", "metal"),
    ("W", "钨", "tungsten", "metal"), ("Te", "碲", "tellurium", "metal"), ("Bi", "铋", "bismuth", "metal"),
    ("Mo", "钼", "molybdenum", "metal"), ("In", "铟", "indium", "metal"), ("Li", "锂", "lithium", "metal"),
    ("Co", "钴", "cobalt", "metal"),
    ("graphite", "石墨", "graphite", "material"), ("diamond", "金刚石", "diamond", "material"),
    ("cBN", "立方氮化硼", "cubic boron nitride", "material"),
])
BY_SYMBOL = {t.symbol.lower(): t for t in TERMS}
BY_ZH = {t.zh: t for t in TERMS}
BY_EN = {t.en: t for t in TERMS}
_EN_WORDS = re.compile(r"\b(" + "|".join(sorted((t.en for t in TERMS), key=len, reverse=True)) + r")\b", re.I)


def lookup(name: str) -> Term | None:
    """An element or material by symbol, Chinese or English name: 'Dy', '镝', 'dysprosium'."""
    key = name.strip()
    return BY_SYMBOL.get(key.lower()) or BY_ZH.get(key) or BY_EN.get(key.lower())


def elements_in(text: str) -> tuple[str, ...]:
    """Symbols of the elements and materials a text names, in order of first mention."""
    found: list[tuple[int, str]] = []
    for term in TERMS:
        pos = text.find(term.zh)
        if pos >= 0:
            found.append((pos, term.symbol))
    for m in _EN_WORDS.finditer(text):
        found.append((m.start(), BY_EN[m.group(1).lower()].symbol))
    seen: dict[str, None] = {}
    for _, sym in sorted(found):
        seen.setdefault(sym, None)
    return tuple(seen)
