"""Effective dates per provision, read from the text.

"本公告自公布之日起正式实施" -> the whole notice from its issue date; "本公告自2025年11月8日起正式实施" -> that date;
"本公告第一条第（一）项、第（二）项自2025年12月1日起实施，其余规定自公布之日起实施" -> 1.1 and 1.2 from 12-01, the rest
from publication; English equivalents ("shall come into force on the date of publication", "from December 1,
2025"). Dates inside suspension or repeal sentences are relations, not effective dates.
"""

from __future__ import annotations

import re

from tracker.structure.refs import clause_refs, dates_in, sentences
from tracker.types import Clause, Effective

ON_PUBLICATION = re.compile(r"自(?:公布|发布|印发)之日起(?:正式)?(?:实施|施行|执行|生效)"
                            r"|(?:come into (?:force|effect)|take effect|be implemented|enter into force)"
                            r"[^.]*?(?:date of (?:its )?(?:publication|promulgation|issuance)|upon publication)", re.I)
FROM_DATE = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起(?:正式)?(?:实施|施行|执行|生效)"
                       r"|(?:come into (?:force|effect)|take effect|be implemented|enter into force|apply)"
                       r"\s+(?:on|from|as of)\s+([A-Z][a-z]+ \d{1,2}, \d{4})", re.I)
NOT_EFFECTIVE = re.compile(r"暂停|废止|停止执行|至\s*\d{4}\s*年|suspend|repeal|until", re.I)
REST = re.compile(r"其余|其他规定|other provisions|remaining", re.I)
SELF = re.compile(r"本(?:公告|决定|条例|规定|办法|目录)|this (?:announcement|decision|regulation|decree)", re.I)


def effective_dates(clauses: list[Clause], issued: str | None) -> list[Effective]:
    out: list[Effective] = []
    for clause in clauses:
        if clause.kind not in ("clause", "para", "preamble"):
            continue
        for sentence in sentences(clause.text):
            if NOT_EFFECTIVE.search(sentence) and not SELF.search(sentence.split("暂停")[0]):
                continue
            out += _read(sentence, clause.label, issued)
    if not any(e.label == "*" for e in out) and out:
        pass  # only parts are dated: the rest has no date of its own (reported by regime as unknown)
    return out


def _read(sentence: str, label: str, issued: str | None) -> list[Effective]:
    """A sentence may date some clauses and then 'the rest'; split it at 其余 / remaining."""
    found: list[Effective] = []
    pieces = re.split(r"[，,；;](?=\s*(?:其余|其他规定|the other|other provisions|remaining))", sentence)
    for piece in pieces:
        date = None
        m = FROM_DATE.search(piece)
        if m:
            date = dates_in(m.group(0))[0][1]
        elif ON_PUBLICATION.search(piece) and issued:
            date = issued
        if date is None:
            continue
        targets = [] if REST.search(piece) else clause_refs(piece.split("自")[0] if "自" in piece else piece)
        for target in targets or ["*"]:
            found.append(Effective(target, date, sentence, label))
    return found
