"""What the ingested documents control, read into screening rules.

- Items: every control item of every notice (code, element, forms, reference customs numbers), with the clause
  whose state governs it.
- Extraterritorial rules: clauses that put goods made abroad under licence, read from their own words: the value
  threshold and the annex parts of a de minimis rule, goods made abroad with Chinese-origin technology, the
  re-export of Chinese-origin annex items.
- Measures: destination bans and denials (a country named with military users or uses, or with listed notices),
  end-use clauses (military, WMD, advanced chips, military AI), entity lists (control list, watch list).
Nothing here names a notice: the same code reads whatever the store holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.impact import vocab
from tracker.regime import Provision, Regime
from tracker.structure.labels import cn_number
from tracker.structure.refs import notice_refs, sentences
from tracker.understand import NoticeStructure


@dataclass(frozen=True)
class Item:
    notice: str
    label: str
    code: str
    text: str
    terms: frozenset[str]
    forms: frozenset[str]
    hs10: tuple[str, ...]
    hs8: tuple[str, ...]
    annex: str  # "annex1" or "" (an item of the body)
    part: str  # "part1", "part2" or ""
    parts_too: bool  # the item's text covers parts, components and assemblies
    reserved: bool = False
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A clause that reaches goods made abroad."""

    kind: str  # de_minimis | foreign_technology | reexport
    notice: str
    label: str
    text: str
    annex: str
    product_part: str = ""  # de minimis: the part the product must be in
    content_part: str = ""  # de minimis: the part of the Chinese-origin content
    threshold: float | None = None  # de minimis: % of value


@dataclass(frozen=True)
class Measure:
    kind: str  # military_ban | denial | strict_review | end_use_denial | end_use_case_by_case | end_user_denial
    #            | control_list | watch_list
    notice: str
    label: str
    text: str
    countries: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    targets: tuple[str, ...] = ()  # notices whose items the measure is about
    entities: tuple[str, ...] = ()


@dataclass
class Controls:
    regime: Regime
    items: list[Item] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    foreign_annexes: set[tuple[str, str]] = field(default_factory=set)  # (notice, annex) reached only from abroad

    def provision_for(self, notice: str, label: str) -> Provision:
        """The provision whose state governs a clause: the deepest provision covering it, else the whole notice."""
        best = None
        for p in self.regime.provisions(notice):
            if p.label == "*" or label == p.label or label.startswith(p.label + "."):
                if best is None or (p.label != "*" and (best.label == "*" or len(p.label) > len(best.label))):
                    best = p
        return best


def read_controls(regime: Regime) -> Controls:
    controls = Controls(regime)
    for st in regime.structures.values():
        _rules(st, controls)
        _measures(st, controls)
    for st in regime.structures.values():
        for it in st.items:
            annex = it.label.split(".")[0] if it.label.startswith("annex") else ""
            part = next((p for p in it.label.split(".") if re.fullmatch(r"part\d+", p)), "")
            text = " ".join(x for x in (it.code, it.name, it.description) if x)
            terms = item_terms(it.name, it.description, it.elements)
            controls.items.append(Item(st.notice, it.label, it.code, text, terms, vocab.forms(text),
                                       it.hs10, it.hs8, annex, part, bool(vocab.ITEM_PARTS.search(text)),
                                       it.reserved, it.parameters))
    return controls


# The host of a magnet or alloy is not what the item controls: Nd in 钕铁硼 (NdFeB), Co in 钐钴 (SmCo).
HOSTS = re.compile(r"钕铁硼|NdFeB|(?<=钐)钴|(?<=Sm)Co|(?<=Sm-)Co", re.IGNORECASE)


def item_terms(name: str, description: str, elements: tuple[str, ...]) -> frozenset[str]:
    """The elements an item controls: those its name names ("镓相关物项" -> Ga, though its description lists
    锑化镓), else those its description names ("钐靶材、钆靶材" -> Sm, Gd), never a host metal."""
    from tracker.structure.glossary import elements_in

    named = elements_in(HOSTS.sub(" ", name)) or elements_in(HOSTS.sub(" ", description))
    return frozenset(named or elements[:1])


def _part(cn: str | None) -> str:
    return f"part{cn_number(cn)}" if cn else ""


def _rules(st: NoticeStructure, controls: Controls) -> None:
    foreign_scope = any(vocab.FOREIGN_EXPORTER.search(c.text) for c in st.clauses if c.kind in ("clause", "preamble"))
    if not foreign_scope:
        return
    for c in st.clauses:
        if c.kind != "clause":
            continue
        parts = vocab.PART.findall(c.text)
        if not parts:
            continue
        annex = f"annex{parts[0][0]}"
        threshold = vocab.THRESHOLD.search(c.text)
        if threshold and len(parts) >= 2 and vocab.CN_ORIGIN.search(c.text):
            value = float(threshold.group(1) or threshold.group(2))
            controls.rules.append(Rule("de_minimis", st.notice, c.label, c.text, annex, _part(parts[0][1]),
                                       _part(parts[1][1]), value))
        elif vocab.TECH_USE.search(c.text):
            controls.rules.append(Rule("foreign_technology", st.notice, c.label, c.text, annex))
        elif vocab.CN_ORIGIN.search(c.text):
            controls.rules.append(Rule("reexport", st.notice, c.label, c.text, annex))
        else:
            continue
        controls.foreign_annexes.add((st.notice, annex))


def _measures(st: NoticeStructure, controls: Controls) -> None:
    # A clause that suspends, resumes or repeals another notice restates that notice's measure; it is not one.
    about_others = {r.source_label for r in st.relations if r.kind in ("suspends", "resumes", "repeals", "amends")}
    for c in st.clauses:
        if c.kind not in ("clause", "para") or c.label in about_others:
            continue
        for sentence in sentences(c.text):
            countries = vocab.countries_in(sentence)
            uses = frozenset(tag for tag, rx in vocab.CLAUSE_END_USE.items() if rx.search(sentence))
            refs = tuple(dict.fromkeys(r.id for r in notice_refs(sentence) if r.id != st.notice))
            add = controls.measures.append
            if countries and "military" in uses and vocab.PROHIBIT.search(sentence):
                add(Measure("military_ban", st.notice, c.label, sentence, countries, uses))
            elif countries and refs and vocab.DENY.search(sentence):
                add(Measure("denial", st.notice, c.label, sentence, countries, targets=refs))
                for tail in re.split(r"[；;]", sentence)[1:]:  # "…；对石墨…从严审查" in the same sentence
                    tail_refs = tuple(r.id for r in notice_refs(tail))
                    if tail_refs and vocab.STRICT.search(tail):
                        add(Measure("strict_review", st.notice, c.label, tail, countries, targets=tail_refs))
            elif countries and refs and vocab.STRICT.search(sentence):
                add(Measure("strict_review", st.notice, c.label, sentence, countries, targets=refs))
            elif not countries and uses and vocab.CASE_BY_CASE.search(sentence):
                # "AI with potential military use" names AI, not military end uses in general
                narrow = uses - {"military"} if "military_ai" in uses else uses
                add(Measure("end_use_case_by_case", st.notice, c.label, sentence, uses=narrow))
            elif not countries and vocab.DENY.search(sentence) and re.search(r"用户|名单|user|list", sentence):
                add(Measure("end_user_denial", st.notice, c.label, sentence, uses=uses))
            elif not countries and uses and vocab.DENY.search(sentence):
                add(Measure("end_use_denial", st.notice, c.label, sentence, uses=uses))
    for rel in st.relations:
        if rel.kind == "lists_entities" and rel.entities:
            kind = "watch_list" if "watch" in rel.list_name else "control_list"
            controls.measures.append(Measure(kind, st.notice, rel.source_label, rel.evidence,
                                             entities=rel.entities))
