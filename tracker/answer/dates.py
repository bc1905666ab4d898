"""Dates named in a question: 2025-12-15, 2025年12月15日, December 15, 2025, 15 December 2025, and phrases that are
unambiguous about a day (mid-October 2025 -> 2025-10-15, 2025年10月中旬 -> 2025-10-15, end of 2025 -> 2025-12-31)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"], 1)}
MON = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|" \
      r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), lambda m: (m[1], m[2], m[3])),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), lambda m: (m[1], m[2], m[3])),
    (re.compile(rf"{MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I), lambda m: (m[3], _mon(m[1]), m[2])),
    (re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+{MON},?\s+(\d{{4}})", re.I), lambda m: (m[3], _mon(m[2]), m[1])),
    (re.compile(rf"mid[- ]{MON}\s+(\d{{4}})", re.I), lambda m: (m[2], _mon(m[1]), 15)),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*中旬"), lambda m: (m[1], m[2], 15)),
    (re.compile(r"(?:end of|late)\s+(\d{4})\b", re.I), lambda m: (m[1], 12, 31)),
    (re.compile(r"(\d{4})\s*年\s*(?:底|年底|末)"), lambda m: (m[1], 12, 31)),
]


def _mon(name: str) -> int:
    name = name.lower().rstrip(".")
    return next(i for m, i in MONTHS.items() if m.startswith(name[:3]))


def dates_in_question(question: str) -> list[str]:
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, parts in PATTERNS:
        for m in pattern.finditer(question):
            if any(a <= m.start() < b for a, b in taken):
                continue
            try:
                y, mo, d = (int(x) for x in parts(m))
                found.append((m.start(), date(y, mo, d).isoformat()))
                taken.append((m.start(), m.end()))
            except ValueError:
                continue
    return list(dict.fromkeys(d for _, d in sorted(found)))
