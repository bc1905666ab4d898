"""Relations read from the text: suspends (from, until), resumes, amends, repeals, supersedes, implements,
references; and entity listings (control list / watch list) with the entities named in the annex."""

from __future__ import annotations

import re

from tracker.structure.refs import dates_in, notice_refs, sentences
from tracker.types import Clause, Relation

KINDS = [  # first match wins, checked on the sentence that names the other notice
    ("suspends", re.compile(r"暂停(?:实施|执行|适用)|suspend", re.I)),
    ("resumes", re.compile(r"恢复(?:实施|执行|适用)|resum|reinstat", re.I)),
    ("repeals", re.compile(r"废止|停止执行|不再执行|不再适用|repeal|ceases? to (?:apply|be in force)|abolish", re.I)),
    ("supersedes", re.compile(r"代替|取代|替代|supersed|replac", re.I)),
    ("amends", re.compile(r"调整|修改|修订|补充|扩展|amend|modif|adjust|supplement", re.I)),
    ("implements", re.compile(r"落实|贯彻|implement", re.I)),
]
FROM_TODAY = re.compile(r"自即日起|自公布之日起|from (?:today|the date of (?:its )?publication)", re.I)
UNTIL = re.compile(r"至\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)|until\s+([A-Z][a-z]+ \d{1,2}, \d{4})")
FROM = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起|(?:from|as of)\s+([A-Z][a-z]+ \d{1,2}, \d{4})")
ANNEX_LIST = re.compile(r"附件\s*(\d+)\s*所列")
LISTING = re.compile(r"列入[^。；]*?(管控名单|关注名单)|(?:added|included) (?:in|to|on) the (?:export control )?"
                     r"(control list|watch list)", re.I)
ENTITY_COLS = ("名称", "name", "实体")


def relations(clauses: list[Clause], own_id: str, issued: str | None) -> list[Relation]:
    out: list[Relation] = []
    annex_rows: dict[str, list[Clause]] = {}
    for clause in clauses:
        if clause.kind == "annex_row":
            annex_rows.setdefault(clause.label.split(".")[0], []).append(clause)
    for clause in clauses:
        if clause.kind not in ("clause", "para", "preamble"):
            continue
        for sentence in sentences(clause.text):
            kind = next((k for k, rx in KINDS if rx.search(sentence)), "references")
            start, until = _interval(sentence, issued)
            refs = [r for r in notice_refs(sentence) if r.id != own_id]
            for annex_no in ANNEX_LIST.findall(sentence):  # 附件2所列公告……废止: the targets are the annex rows
                for row in annex_rows.get(f"annex{annex_no}", []):
                    refs += [r for r in notice_refs(row.text) if r.id != own_id]
            day = _until_day(sentence)
            for ref in refs:
                out.append(Relation(kind, clause.label, ref.id, ref.clause, ref.text, start, until, day, sentence))
            listing = LISTING.search(sentence)
            if listing and any(annex_rows.values()):
                name = "control list" if "管控" in listing.group(0) or "control" in listing.group(0).lower() \
                    else "watch list"
                entities = tuple(_entities(rows) for rows in annex_rows.values())
                flat = tuple(e for group in entities for e in group)
                if flat:
                    out.append(Relation("lists_entities", clause.label, "", "*", "", start or issued, None,
                                        "ambiguous", sentence, flat, name))
    return _dedupe(out)


INCLUSIVE = re.compile(r"（含[^）]{0,6}）|含当日|\bthrough\b|inclusive", re.I)
EXCLUSIVE = re.compile(r"日前|日之前|\bbefore\b", re.I)


def _until_day(sentence: str) -> str:
    """至2026年11月10日 does not say whether the 10th is the last day: ambiguous unless the text says so."""
    if INCLUSIVE.search(sentence):
        return "inclusive"
    if EXCLUSIVE.search(sentence):
        return "exclusive"
    return "ambiguous"


def _interval(sentence: str, issued: str | None) -> tuple[str | None, str | None]:
    start = issued if FROM_TODAY.search(sentence) else None
    m = FROM.search(sentence)
    if m and not start:
        start = dates_in(m.group(0))[0][1]
    u = UNTIL.search(sentence)
    until = dates_in(u.group(0))[0][1] if u else None
    if start is None and until is None:
        dates = dates_in(sentence)
        start = dates[0][1] if dates else None
    return start, until


def _entities(rows: list[Clause]) -> tuple[str, ...]:
    names = []
    for row in rows:
        cols = [i for i, h in enumerate(row.header) if any(c in h.lower() for c in ENTITY_COLS)]
        if cols:
            names.append(" / ".join(row.cells[i] for i in cols if i < len(row.cells) and row.cells[i]))
    return tuple(names)


def _dedupe(rels: list[Relation]) -> list[Relation]:
    seen, out = set(), []
    for r in rels:
        key = (r.kind, r.source_label, r.target, r.target_label)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def discussed(clauses: list[Clause], own_id: str) -> list[Relation]:
    """The notices an interpretation names: one "discusses" relation per notice, at its first mention."""
    out: dict[str, Relation] = {}
    for clause in clauses:
        for sentence in sentences(clause.text):
            for ref in notice_refs(sentence):
                if ref.id != own_id and ref.id not in out:
                    out[ref.id] = Relation("discusses", clause.label, ref.id, ref.clause, ref.text,
                                           evidence=sentence)
    return list(out.values())
