"""The state of every provision on a date, from effective dates and relations read from the documents.

Only documents issued on or before the as-of date count: on 2025-10-20 the suspension of 2025-11-07 is unknown.
Statuses: in_force, not_yet_effective, suspended, repealed, expired. A boundary day the text leaves open (the
last day of "自即日起至2026年11月10日暂停实施") is flagged `ambiguous` with both readings, never guessed silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.structure.glossary import lookup
from tracker.understand import NoticeStructure
from tracker.types import Relation

STATUSES = ("in_force", "not_yet_effective", "suspended", "repealed", "expired")


@dataclass(frozen=True)
class Provision:
    notice: str
    label: str  # "*" = the notice as a whole (everything not separately dated or targeted)
    summary: str


@dataclass
class ProvisionState:
    notice: str
    provision: str
    summary: str
    status: str
    since: str | None
    until: str | None
    ambiguous: bool = False
    note: str = ""
    determined_by: list[dict] = field(default_factory=list)

    projected: bool = False  # the date is after the newest document in the store

    def as_dict(self) -> dict:
        return {"notice": self.notice, "provision": self.provision, "summary": self.summary, "status": self.status,
                "since": self.since, "until": self.until, "ambiguous": self.ambiguous, "projected": self.projected,
                "note": self.note, "determined_by": self.determined_by}


def _day(iso: str, delta: int = 0) -> str:
    return (date.fromisoformat(iso) + timedelta(days=delta)).isoformat()


def _covers(target_label: str, label: str) -> bool:
    """Does a relation aimed at `target_label` reach provision `label`?"""
    return target_label == "*" or label == target_label or label.startswith(target_label + ".")


class Regime:
    """All notices' structures; answers the state of their provisions on any date."""

    def __init__(self, structures: dict[str, NoticeStructure]) -> None:
        # Official interpretations explain notices; they never change a provision's state.
        self.interpretations = {k: v for k, v in structures.items() if v.kind == "interpretation"}
        self.structures = {k: v for k, v in structures.items() if v.kind != "interpretation"}
        structures = self.structures
        # The newest document the store holds: a state after this date follows the documents' own dates, but
        # nothing later (an extension, a new suspension) can be known. It is flagged as a projection.
        self.horizon = max((st.issued for st in structures.values() if st.issued), default="")
        self.inbound: dict[str, list[tuple[NoticeStructure, Relation]]] = {}
        self.unresolved: list[tuple[str, Relation]] = []
        for source in structures.values():
            for rel in source.relations:
                if not rel.target:
                    continue
                if rel.target in structures:
                    self.inbound.setdefault(rel.target, []).append((source, rel))
                else:
                    self.unresolved.append((source.notice, rel))

    # -- provisions ------------------------------------------------------------------------------------------
    def provisions(self, notice: str) -> list[Provision]:
        st = self.structures[notice]
        own = {e.label for e in st.effective if e.label != "*"}
        own |= {r.target_label for _, r in self.inbound.get(notice, []) if r.target_label != "*"
                and r.kind in ("suspends", "resumes", "repeals")}
        date_clauses = {e.evidence_label for e in st.effective}
        labels: list[str] = []
        for label in sorted(own, key=_label_key):
            parent = label.rsplit(".", 1)[0] if "." in label else ""
            for c in st.clauses:
                if c.kind != "clause" or c.label in date_clauses:
                    continue
                c_parent = c.label.rsplit(".", 1)[0] if "." in c.label else ""
                if c_parent == parent and c.label not in labels:
                    labels.append(c.label)
        out = [Provision(notice, "*", st.title or st.title_en)]
        for label in labels:
            clause = st.clause(label)
            out.append(Provision(notice, label, clause.text[:120] if clause else label))
        return out

    # -- state -----------------------------------------------------------------------------------------------
    def state(self, provision: Provision, as_of: str) -> ProvisionState | None:
        st = self.structures[provision.notice]
        if not st.issued or st.issued > as_of:
            return None
        effective = self._effective(st, provision.label)
        start = effective.date if effective else st.issued
        decided = [{"notice": st.notice, "label": effective.evidence_label if effective else "", "role": "effective",
                    "date": start}]
        note = "" if effective else "the text states no effective date; its publication date is used"
        inbound = [(src, rel) for src, rel in self.inbound.get(st.notice, [])
                   if src.issued and src.issued <= as_of and _covers(rel.target_label, provision.label)]
        # repealed
        for src, rel in inbound:
            if rel.kind in ("repeals", "supersedes"):
                when = rel.start or self._effective_date(src) or src.issued
                if when <= as_of:
                    return ProvisionState(st.notice, provision.label, provision.summary, "repealed", when, None,
                                          note=f"{rel.kind} by {src.notice}",
                                          determined_by=decided + [_cite(src, rel, when)])
        # suspended
        resumes = sorted(((rel.start or src.issued, src.notice, rel.source_label) for src, rel in inbound
                          if rel.kind == "resumes"))
        for src, rel in inbound:
            if rel.kind != "suspends":
                continue
            s_from = rel.start or src.issued
            s_until = rel.until
            if s_until and rel.until_day == "exclusive":
                s_until = _day(s_until, -1)
            for r_day, _src, _rel in resumes:
                if r_day > s_from and (s_until is None or r_day <= s_until):
                    s_until = _day(r_day, -1)
            if s_from <= as_of and (s_until is None or as_of <= s_until):
                ambiguous = bool(rel.until and as_of == rel.until and rel.until_day == "ambiguous")
                never = start > s_from
                text = f"suspended by {src.notice} from {s_from}" + (f" until {rel.until}" if rel.until else "")
                if never:
                    text += f"; suspended before it took effect (it would have applied from {start})"
                if ambiguous:
                    text += (f"; the text does not say whether {rel.until} is the last day of the suspension or "
                             f"the day the measure applies again: on this day it is suspended on one reading and "
                             f"{'in force' if start <= as_of else 'not yet effective'} on the other")
                return ProvisionState(st.notice, provision.label, provision.summary, "suspended", s_from,
                                      rel.until, ambiguous, text, decided + [_cite(src, rel, s_from)])
        # expired: a notice whose operative content is time-limited suspensions ends with them
        limits = [r for r in st.relations if r.kind == "suspends" and r.until]
        if provision.label == "*" and limits and not st.items and all(r.until for r in st.relations
                                                                          if r.kind == "suspends"):
            last = max(r.until for r in limits)
            if as_of > last:
                return ProvisionState(st.notice, provision.label, provision.summary, "expired", _day(last, 1), None,
                                      note=f"its suspensions ran until {last}", determined_by=decided)
            ambiguous = as_of == last and any(r.until_day == "ambiguous" for r in limits)
            return ProvisionState(st.notice, provision.label, provision.summary, "in_force", start, last, ambiguous,
                                  note + ("; the text does not say whether the last day is included" if ambiguous
                                          else ""), decided)
        if as_of < start:
            return ProvisionState(st.notice, provision.label, provision.summary, "not_yet_effective", st.issued,
                                  start, note=note or f"takes effect on {start}", determined_by=decided)
        since = start
        for src, rel in inbound:  # in force after a suspension that has ended
            if rel.kind == "suspends" and rel.until and rel.until < as_of and rel.until >= since:
                never = start > (rel.start or src.issued)
                since = _day(rel.until, 1)
                decided.append(_cite(src, rel, rel.start or src.issued))
                note = (note + "; " if note else "") + (
                    f"takes effect only after the suspension by {src.notice} ends ({rel.until}); it had never "
                    f"taken effect" if never else f"in force again after the suspension by {src.notice} ended "
                                                  f"({rel.until})")
        return ProvisionState(st.notice, provision.label, provision.summary, "in_force", since, None, note=note,
                              determined_by=decided)

    def interpretations_of(self, notice: str, as_of: str | None = None) -> list[tuple[NoticeStructure, Relation]]:
        """The official interpretations that discuss a notice (published by as_of, when given), oldest first."""
        out = [(st, rel) for st in self.interpretations.values() for rel in st.relations
               if rel.kind == "discusses" and rel.target == notice and (as_of is None or (st.issued or "") <= as_of)]
        return sorted(out, key=lambda x: (x[0].issued or "", x[0].notice))

    def projection_note(self, as_of: str) -> str:
        if self.horizon and as_of > self.horizon:
            return (f"projection: the newest document in the store is of {self.horizon}; this state follows the "
                    f"documents' own dates and cannot reflect anything published later")
        return ""

    def _effective(self, st: NoticeStructure, label: str):
        best = None
        for e in st.effective:
            if e.label == label or (e.label != "*" and label.startswith(e.label + ".")):
                if best is None or len(e.label) > len(best.label):
                    best = e
        if best is None:
            best = next((e for e in st.effective if e.label == "*"), None)
        return best

    def _effective_date(self, st: NoticeStructure) -> str | None:
        e = self._effective(st, "*")
        return e.date if e else None

    def snapshot(self, as_of: str, notice: str | None = None, element: str | None = None) -> list[ProvisionState]:
        out = []
        for nid in sorted(self.structures, key=lambda n: (self.structures[n].issued or "", n)):
            if notice and nid != notice:
                continue
            if element and not self.mentions(nid, element):
                continue
            states = [s for p in self.provisions(nid) if (s := self.state(p, as_of)) is not None]
            if self.projection_note(as_of):
                for s in states:
                    s.projected = True
            whole = next((s for s in states if s.provision == "*"), None)
            differ = [s for s in states if s.provision != "*" and whole and s.status != whole.status]
            if whole and differ:
                parts = ", ".join(f"{s.provision} {s.status.replace('_', ' ')}" for s in differ)
                whole.note = (whole.note + "; " if whole.note else "") + f"parts differ: {parts}"
            out += states
        return out

    def mentions(self, notice: str, element: str) -> bool:
        term = lookup(element)
        if term is None:
            return False
        st = self.structures[notice]
        if any(term.symbol in item.elements for item in st.items):
            return True
        return any(term.zh in c.text or term.en in c.text.lower() for c in st.clauses)

    def change_days(self) -> list[str]:
        """Every day on which some provision may change state: issue, effective and relation dates (+1)."""
        days: set[str] = set()
        for st in self.structures.values():
            if st.issued:
                days.add(st.issued)
            days.update(e.date for e in st.effective)
            for r in st.relations:
                if r.start:
                    days.add(r.start)
                if r.until:
                    days.update({r.until, _day(r.until, 1)})
        return sorted(days)


def _cite(src: NoticeStructure, rel: Relation, when: str | None) -> dict:
    return {"notice": src.notice, "label": rel.source_label, "role": rel.kind, "date": when}


def _label_key(label: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in label.split(".")]
