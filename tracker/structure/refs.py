"""References inside text: other notices (商务部 海关总署公告2025年第55号、第56号…), clauses (第一条第（一）项),
dates (2025年12月1日, December 1, 2025). Shared by the effective-date and relation readers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.parse.docnum import ISSUERS, issuers_in, parse_en
from tracker.parse.mofcom import iso_date
from tracker.structure.labels import cn_number

_ZH_BODIES = "|".join(sorted((re.escape(n) for _, names, _ in ISSUERS for n in names), key=len, reverse=True))
NOTICE_REF = re.compile(
    rf"(?P<who>(?:(?:{_ZH_BODIES})[\s\u3000、和]*)+)(?P<form>公告|令)\s*(?:(?P<year>\d{{4}})\s*年\s*)?第\s*(?P<seq>\d+)\s*号"
    r"(?P<more>(?:\s*[、和及与]\s*第\s*\d+\s*号)*)")
MORE = re.compile(r"第\s*(\d+)\s*号")
EN_REF = re.compile(r"(?:MOFCOM|Ministry of Commerce|GAC|GACC|General Administration of Customs|MOST|MIIT|\s)*"
                    r"(?:Announcement|Decree)\s+No\.?\s*\d+\s*(?:of|\[)\s*\d{4}\]?", re.I)
CLAUSE_REF = re.compile(r"第([一二三四五六七八九十]+)(条|款)(?:第[（(]([一二三四五六七八九十]+)[)）]项)?"
                        r"|第[（(]([一二三四五六七八九十]+)[)）]项")
CN_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
EN_DATE = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
                     r"\s+\d{1,2},\s*\d{4}")


@dataclass(frozen=True)
class NoticeRef:
    id: str
    text: str
    start: int
    end: int
    clause: str = "*"  # "2" for 第二条, "1.1" for 第一条第（一）项


def notice_refs(text: str) -> list[NoticeRef]:
    """Every notice a Chinese (or English) text names, with the clause when one follows the number."""
    out: list[NoticeRef] = []
    for m in NOTICE_REF.finditer(text):
        issuers = issuers_in(m.group("who"))
        if not issuers:
            continue
        who = "-".join(issuers)
        year = m.group("year")
        if year is None and m.group("form") != "令":
            continue  # an announcement number needs its year; decrees are numbered without one
        seqs = [m.group("seq")] + MORE.findall(m.group("more") or "")
        tail = text[m.end(): m.end() + 20]
        clause = "*"
        cm = CLAUSE_REF.match(tail)
        if cm:
            clause = clause_label(cm)
        for i, seq in enumerate(seqs):
            ident = f"{who}-decree-{seq}" if m.group("form") == "令" else f"{who}-{year}-{int(seq)}"
            out.append(NoticeRef(ident, m.group(0), m.start(), m.end(), clause if i == len(seqs) - 1 else "*"))
    for m in EN_REF.finditer(text):
        number = parse_en(m.group(0))
        if number is not None:
            out.append(NoticeRef(number.id, m.group(0).strip(), m.start(), m.end()))
    return out


def clause_label(match: re.Match) -> str:
    if match.group(1):
        label = str(cn_number(match.group(1)))
        return f"{label}.{cn_number(match.group(3))}" if match.group(3) else label
    return str(cn_number(match.group(4)))


def clause_refs(text: str) -> list[str]:
    """第一条第（一）项、第（二）项 -> ['1.1', '1.2'] (a bare 第（二）项 keeps the last 条)."""
    labels: list[str] = []
    current = ""
    for m in CLAUSE_REF.finditer(text):
        if m.group(1):
            current = str(cn_number(m.group(1)))
            labels.append(clause_label(m))
        elif current:
            labels.append(f"{current}.{cn_number(m.group(4))}")
    # 第一条第（一）项、第（二）项: the first match already carries 1.1; drop a bare "1" that only introduced it
    return [lab for lab in labels if not any(o.startswith(lab + ".") for o in labels)]


def dates_in(text: str) -> list[tuple[int, str]]:
    found = [(m.start(), iso_date(m.group(0))) for m in CN_DATE.finditer(text)]
    found += [(m.start(), iso_date(m.group(0))) for m in EN_DATE.finditer(text)]
    return sorted((pos, d) for pos, d in found if d)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;!?！？])|(?<=\.)\s+(?=[A-Z])", text)
    return [p.strip() for p in parts if p and p.strip()]
