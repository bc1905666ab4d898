"""Screen products against the controls on a date: matches (date-independent) then verdicts (per date).

A match says why a notice may touch a product: it is a listed item, it contains a controlled material, its
customs number is a reference number, a rule for goods made abroad reaches it, a destination, end-use or
end-user measure names it. The verdict on a date follows the state of the governing provision on that date:
only provisions in force decide; suspended and not-yet-effective ones are reported with their dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tracker.impact import vocab
from tracker.impact.catalogue import Product
from tracker.impact.controls import Controls, Item, Measure, Rule
from tracker.structure.glossary import TERMS, elements_in, lookup

DISCLAIMER = ("Indicative screening, not legal advice: it compares the catalogue's own data with the notices "
              "tracker has ingested; customs numbers are reference numbers only, and a product can be controlled "
              "without a listed number (and the reverse). Confirm with the legal text and counsel.")
VERDICTS = ("licence_likely", "review", "not_affected", "insufficient_data")
GENERIC_FORMS = frozenset({"metal", "alloy", "oxide", "compound", "powder"})
_SYMBOLS = {t.symbol for t in TERMS} | {
    "Fe", "B", "As", "N", "O", "Al", "Si", "Cu", "Ni", "Mn", "Zn", "P", "Se", "Sn", "C", "H", "Ti", "Cr", "Ag",
    "Au", "Pt", "Pd", "Ta", "Nb", "Zr", "Hf", "V", "Mg", "Ca", "Sr", "Ba", "K", "Na", "F", "Cl", "S"}
_FORMULA = re.compile(r"\b(?:[A-Z][a-z]?\d*){1,5}\b")
_PART_OF_TOKEN = re.compile(r"[A-Z][a-z]?")
# Concepts an interpretation and a product can share across languages (for citing the interpretation).
CONCEPTS: dict[str, re.Pattern] = {
    "motor": re.compile(r"电机|马达|\bmotors?\b", re.IGNORECASE),
    "rotor": re.compile(r"转子|\brotors?\b", re.IGNORECASE),
    "stator": re.compile(r"定子|\bstators?\b", re.IGNORECASE),
    "sensor": re.compile(r"传感器|\bsensors?\b", re.IGNORECASE),
    "assembly": re.compile(r"组件|总成|\bassembl(?:y|ies)\b", re.IGNORECASE),
    "phosphor": re.compile(r"荧光粉|发光材料|\bphosphors?\b|luminescent", re.IGNORECASE),
    "catalyst": re.compile(r"催化|\bcatalysts?\b", re.IGNORECASE),
    "consumer": re.compile(r"消费品|消费类|\bconsumer\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class Match:
    rule: str  # listed_item | contains_controlled | hs_reference | de_minimis | foreign_technology | reexport
    #            | destination | end_use | end_user | interpretation | semantic
    notice: str
    label: str  # the clause whose state decides
    strength: str  # licence | review | info
    explanation: str
    quote: str = ""
    confidence: str = "high"
    missing: tuple[str, ...] = ()
    requires: tuple[tuple[str, str], ...] = ()  # (notice, label): one of them must be in force too (the item)
    url: str = ""
    prohibits: bool = False  # an outright ban, not a licence requirement


@dataclass
class ProductFacts:
    product: Product
    terms: frozenset[str]
    forms: frozenset[str]
    assembly: bool
    uses: frozenset[str]
    cn_terms: dict[str, float | None] = field(default_factory=dict)  # CN-origin materials: term -> share
    material_facts: list[tuple] = field(default_factory=list)  # (material, its terms, its forms)
    unknown_origin_terms: set[str] = field(default_factory=set)


def product_terms(text: str, material: bool = False) -> frozenset[str]:
    """Elements and materials a text names: words (dysprosium, 镝), symbols (Dy) and formulas (SmCo, Sb2O3).
    A lone one-letter symbol (Y, W) counts only as a material name, never inside free text."""
    found = set(elements_in(text))
    for token in _FORMULA.findall(text):
        parts = [re.sub(r"\d", "", p) for p in _PART_OF_TOKEN.findall(token)]
        if not parts or not all(p in _SYMBOLS for p in parts):
            continue
        if len(parts) == 1 and len(parts[0]) == 1 and not (material and token == text.strip()):
            continue
        found.update(p for p in parts if lookup(p))
    return frozenset(found)


NEGATED = re.compile(r"\b(?:not|non|no|without|excluding|free of)[- ]+[A-Za-z]+|(?:不含|非|不是|并非)[\u4e00-\u9fff]",
                     re.IGNORECASE)


@lru_cache(maxsize=4096)
def _material_terms(name: str) -> frozenset[str]:
    return product_terms(name, material=True)


def _head(text: str) -> str:
    """What a product is, without what it is for: 'Ge substrate for space solar cells' -> 'Ge substrate'."""
    return re.split(r"\bfor\b|用于|\bused in\b|\bwith\b|\(|（", text, maxsplit=1)[0]


def facts_of(p: Product) -> ProductFacts:
    own = NEGATED.sub(" ", f"{p.name} {p.description}")  # "(镱, not yttrium)" names no yttrium
    name = _head(p.name)
    name_forms = vocab.forms(name)
    head = _head(p.description)
    assembly = bool(vocab.ASSEMBLY.search(name)) or (not name_forms and bool(vocab.ASSEMBLY.search(head)))
    terms = product_terms(own).union(*(_material_terms(m.name) for m in p.materials))
    facts = ProductFacts(p, terms,
                         name_forms or vocab.forms(head) or vocab.forms(own), assembly,
                         vocab.end_use_tags(f"{p.end_use} {p.end_user}"))
    for m in p.materials:
        facts.material_facts.append((m, _material_terms(m.name), vocab.forms(m.name)))
        for term in _material_terms(m.name):
            if m.origin == "CN":
                facts.cn_terms[term] = (facts.cn_terms.get(term) or 0) + m.share if m.share is not None else None
            elif m.origin is None:
                facts.unknown_origin_terms.add(term)
    return facts


class Semantic:
    """Candidates for descriptions that share no code, element or customs number with any item: the search index
    of `tracker ask` (dense embeddings + BM25 with the bilingual glossary). A passage counts only when both the
    dense and the lexical ranking put it near the top (one within DEPTH, the other within 2 x DEPTH): two
    independent signals, still low confidence."""

    DEPTH = 5

    def __init__(self, retriever, kinds: set[str]) -> None:
        self.retriever = retriever
        self.notices = kinds  # ids of documents of kind notice
        self.cache: dict[str, tuple | None] = {}

    def best(self, text: str, product_forms: frozenset[str] = frozenset()):
        key = (text, product_forms)
        if key not in self.cache:
            found = None
            for hit in self.retriever.search(text, "9999-12-31", k=8):
                c = hit.chunk
                if c.notice not in self.notices or c.kind not in ("annex_row", "annex_rows", "clause"):
                    continue
                if {"technology", "equipment"} & vocab.forms(c.body or c.text) - product_forms:
                    continue  # goods are not the technology or the equipment that makes them
                if not _shares_words(text, c.body or c.text):
                    continue  # similar in vector space only: no word or glossary term in common
                dense = min(hit.ranks.get("dense", 99), hit.ranks.get("dense_other_language", 99))
                lexical = hit.ranks.get("bm25", 99)
                if max(dense, lexical) <= 2 * self.DEPTH and min(dense, lexical) <= self.DEPTH:
                    found = (c.notice, c.labels[0] if c.labels else "*", c.body or c.text, c.url)
                    break
            self.cache[key] = found
        return self.cache[key]


class Screener:
    def __init__(self, controls: Controls, semantic: Semantic | None = None) -> None:
        self.controls = controls
        self.regime = controls.regime
        self.semantic = semantic
        self._states: dict[tuple[str, str, str], object] = {}
        # Indexes, so that a product looks only at the items that share a term or a customs heading with it.
        self._by_term: dict[str, list[int]] = {}
        self._by_heading: dict[str, list[int]] = {}
        for i, item in enumerate(controls.items):
            for t in item.terms:
                self._by_term.setdefault(t, []).append(i)
            for ref in item.hs10 + item.hs8:
                self._by_heading.setdefault(ref[:4], []).append(i)
        self._entities = [(ms, [[vocab.normal_name(n) for n in e.split(" / ")] for e in ms.entities])
                          for ms in controls.measures if ms.kind in ("control_list", "watch_list")]
        self._readings: dict[str, list[tuple]] = {}  # notice -> interpretation answers that name it
        for st in self.regime.interpretations.values():
            for rel in st.relations:
                for c in st.clauses:  # answers (q1.a, 3.p1), read with the question they answer
                    if c.kind != "para":
                        continue
                    asked = " ".join(c.heading)
                    if notice_named(c.text, rel.target, st) or notice_named(asked, rel.target, st):
                        found = frozenset(k for k, rx in CONCEPTS.items() if rx.search(c.text + " " + asked))
                        if found:
                            self._readings.setdefault(rel.target, []).append((st, c, found))

    # -- matching (date-independent) -------------------------------------------------------------------------
    def is_item(self, f: ProductFacts, item: Item) -> bool:
        return self.item_fit(f, item)[0] == "yes"

    def item_fit(self, f: ProductFacts, item: Item) -> tuple[str, str]:
        """("yes" | "unsure" | "no", why): is the product itself this listed item?"""
        if item.reserved or not (item.terms & f.terms):
            return "no", ""
        for kind in ("technology", "equipment"):  # goods are not the technology or equipment to make them
            if kind in item.forms and kind not in f.forms:
                return "no", ""
        if f.assembly and not item.parts_too:
            return "no", ""
        specific = f.forms - GENERIC_FORMS
        if specific and not specific <= item.forms:
            return "no", ""
        level = self.hs_level(f.product.hs_code, item)
        if not (f.forms & item.forms or (f.assembly and item.parts_too) or level):
            return "no", ""
        verdict, why = params_fit(item.parameters, f.product)
        return verdict, why

    @staticmethod
    def hs_level(hs: str, item: Item) -> str:
        """Reference numbers are indicative: equal, or one a prefix of the other (a 6- or 8-digit declaration)."""
        if not hs:
            return ""
        refs = item.hs10 + item.hs8
        if hs in refs:
            return "exact"
        if any(r.startswith(hs) or hs.startswith(r) for r in refs):
            return "prefix"
        return ""

    def _contains(self, f: ProductFacts, item: Item) -> bool:
        """A material of the product (or, for an article, what its description names) is the listed item."""
        if item.reserved or not (item.terms & f.terms) or "technology" in item.forms:
            return False
        for m, mt, mf in f.material_facts:
            if not item.terms & mt or (mf - GENERIC_FORMS - item.forms):
                continue
            if mf & item.forms or (not mf and "compound" in item.forms and m.origin in ("CN", None)):
                return True  # a bare element in the product: the item's compounds and mixtures may cover it
        if f.assembly:
            named = vocab.forms(f.product.description) - GENERIC_FORMS
            return bool(named & item.forms)
        return False

    def matches(self, p: Product) -> tuple[ProductFacts, list[Match]]:
        f = facts_of(p)
        out: list[Match] = []
        foreign = self.controls.foreign_annexes
        listed: dict[str, Match] = {}
        contains: dict[str, Match] = {}
        hs_only: dict[str, Match] = {}
        from_china = p.made_in in ("CN", None)
        candidates = sorted({i for t in f.terms for i in self._by_term.get(t, ())}
                            | set(self._by_heading.get(p.hs_code[:4], ()) if p.hs_code else ()))
        for item in (self.controls.items[i] for i in candidates):
            if (item.notice, item.annex) in foreign or not from_china:
                continue
            level = self.hs_level(p.hs_code, item)
            hs_note = f"; customs number {p.hs_code} matches reference {level} (indicative)" if level else ""
            fit, why = self.item_fit(f, item)
            name = "" if item.code and item.text.startswith(item.code) else (item.code or item.label) + " "
            if fit in ("yes", "unsure"):
                m = Match("listed_item", item.notice, item.label, "licence" if fit == "yes" else "review",
                          f"{p.name} is {'a' if fit == 'yes' else 'possibly a'} listed item: {name}"
                          f"{_short(item.text)}{hs_note}{why}", item.text,
                          ("high" if level else "medium") if fit == "yes" else "low")
                prev = listed.get(item.notice)
                if prev is None or _rank(m, item) > _rank(prev, None):
                    listed[item.notice] = m
            elif self._contains(f, item):
                contains.setdefault(item.notice, Match(
                    "contains_controlled", item.notice, item.label, "review",
                    f"{p.name} contains {'/'.join(sorted(item.terms & f.terms))} material controlled as "
                    f"{_short(item.text)}, but is not itself that item{hs_note}", item.text, "medium"))
            elif level and not (item.terms & f.terms):
                hs_only.setdefault(item.notice, Match(
                    "hs_reference", item.notice, item.label, "review",
                    f"customs number {p.hs_code} matches the reference number of {name}({_short(item.text, 60)}) "
                    f"at {level} level; the description does not show the item (indicative only)", item.text, "low"))
        out += listed.values()
        out += [m for n, m in contains.items() if n not in listed]
        if not listed and not contains:  # a customs number alone counts only when nothing else matched
            out += hs_only.values()
        if not out and from_china and self.semantic and p.description:
            found = self.semantic.best(p.description, f.forms)  # cached: product families share descriptions
            if found and self._contradicted(found[0], found[1], p):
                found = None  # the passage's item is defined by a value the product states otherwise
            if found:
                notice, label, text, url = found
                out.append(Match("semantic", notice, label, "review",
                                 f"no code, element or customs number matches, but the description is close in "
                                 f"meaning to {notice} {label}: {_short(text)} (semantic candidate, low confidence)",
                                 text, "low", url=url))
        for rule in self.controls.rules:
            out += self._rule(rule, f)
        out += self._measures(f, out)
        out += self._interpretations(f, out)
        return f, out

    def _contradicted(self, notice: str, label: str, p: Product) -> bool:
        items = [i for i in self.controls.items if i.notice == notice and (i.label == label or
                                                                            label.endswith("." + (i.code or "~")))]
        return any(params_fit(i.parameters, p)[0] == "no" for i in items)

    def _annex_items(self, notice: str, annex: str, part: str = "") -> list[Item]:
        return [i for i in self.controls.items if i.notice == notice and i.annex == annex
                and (not part or i.part == part)]

    def _rule(self, rule: Rule, f: ProductFacts) -> list[Match]:
        p = f.product
        if rule.kind == "reexport":
            items = [i for i in self._annex_items(rule.notice, rule.annex) if self.is_item(f, i)]
            if p.made_in == "CN" and items:
                return [Match("reexport", rule.notice, rule.label, "info",
                              f"{p.name} is a Chinese-origin item of the notice's annex ({items[0].code}): whoever "
                              f"re-exports it from abroad to a third country needs a licence (not this shipment "
                              f"from China)", rule.text, "medium")]
            return []
        if not p.made_in or p.made_in == "CN":
            return []
        if rule.kind == "foreign_technology":
            items = [i for i in self._annex_items(rule.notice, rule.annex) if self.is_item(f, i)]
            if not items:
                return []
            if p.uses_chinese_technology is None:
                return [Match("foreign_technology", rule.notice, rule.label, "review",
                              f"{p.name} is made abroad and is an annex item ({items[0].code}); whether Chinese-origin "
                              f"technology was used is not stated", rule.text, "medium",
                              missing=("uses_chinese_technology",))]
            if p.uses_chinese_technology:
                return [Match("foreign_technology", rule.notice, rule.label, "licence",
                              f"{p.name} is made abroad with Chinese-origin technology and is an annex item "
                              f"({items[0].code})", rule.text, "high")]
            return []
        # de minimis
        product_items = [i for i in self._annex_items(rule.notice, rule.annex, rule.product_part) if self.is_item(f, i)]
        if not product_items:
            return []
        content_terms = {t for i in self._annex_items(rule.notice, rule.annex, rule.content_part) for t in i.terms}
        cn = {t: s for t, s in f.cn_terms.items() if t in content_terms}
        unknown = (content_terms & f.unknown_origin_terms) - set(cn)
        item = product_items[0]
        if any(s is None for s in cn.values()) or (unknown and not cn):
            missing = ("materials (share of value)",) if any(s is None for s in cn.values()) else \
                ("materials (origin)",)
            return [Match("de_minimis", rule.notice, rule.label, "review",
                          f"{p.name} is an item of {rule.product_part or rule.annex} ({item.code}) with "
                          f"{'/'.join(sorted(set(cn) | unknown))} content whose share or origin is not given; the "
                          f"rule applies at {rule.threshold:g} % of value", rule.text, "medium", missing=missing)]
        if not cn:
            return []
        total = sum(v for v in cn.values() if v is not None)
        what = ", ".join(f"{t} {v:g} %" for t, v in sorted(cn.items()))
        if rule.threshold is not None and total >= rule.threshold:
            return [Match("de_minimis", rule.notice, rule.label, "licence",
                          f"{p.name} (made in {p.made_in}) is an item of {rule.product_part} ({item.code}) with "
                          f"Chinese-origin {rule.content_part} content of {what} of its value, at or above the "
                          f"{rule.threshold:g} % threshold", rule.text, "high")]
        return [Match("de_minimis", rule.notice, rule.label, "info",
                      f"{p.name} has Chinese-origin {rule.content_part} content of {what}, below the "
                      f"{rule.threshold:g} % threshold: not caught by this rule", rule.text, "high")]

    def _measures(self, f: ProductFacts, found: list[Match]) -> list[Match]:
        p = f.product
        out: list[Match] = []
        dual = [(m.notice, m.label) for m in found if m.strength == "licence"]
        military = "military" in f.uses or bool(vocab.END_USE["military"].search(p.end_user))
        for ms in self.controls.measures:
            if ms.kind == "military_ban" and p.destination in ms.countries and military and dual:
                out.append(Match("destination", ms.notice, ms.label, "licence",
                                 f"prohibited: dual-use items to military users or uses in {p.destination} may not "
                                 f"be exported", ms.text, "high", requires=tuple(dual), prohibits=True))
            elif ms.kind in ("denial", "strict_review") and p.destination in ms.countries:
                hit = [(m.notice, m.label) for m in found if m.notice in ms.targets and m.strength == "licence"]
                if hit:
                    what = "licences are in principle denied" if ms.kind == "denial" else \
                        "end users and end uses are reviewed more strictly"
                    out.append(Match("destination", ms.notice, ms.label, "licence",
                                     f"for exports of these items to {p.destination} {what}", ms.text, "high",
                                     requires=tuple(hit)))
            elif ms.kind in ("end_use_denial", "end_use_case_by_case", "end_user_denial"):
                own = [(m.notice, m.label) for m in found if m.notice == ms.notice and m.strength == "licence"]
                if not own:
                    continue
                on_list = any(self._entity_of(p, ms2) for ms2, _ in self._entities)
                applies = (ms.uses & f.uses) if ms.kind != "end_user_denial" else (military or on_list)
                if applies:
                    what = {"end_use_denial": "in principle denied", "end_use_case_by_case": "reviewed case by case",
                            "end_user_denial": "in principle denied"}[ms.kind]
                    out.append(Match("end_use" if ms.kind != "end_user_denial" else "end_user", ms.notice, ms.label,
                                     "licence", f"a licence for this end use or end user is {what}", ms.text,
                                     "high", requires=tuple(own)))
            elif ms.kind in ("control_list", "watch_list") and p.end_user:
                entity = self._entity_of(p, ms)
                if entity is None:
                    continue
                listed = "Control List" if ms.kind == "control_list" else "Watch List"
                ban = ms.kind == "control_list" and bool(dual)
                touches = any(m.strength == "review" for m in found)
                strength = ("licence" if ms.kind == "control_list" else "review") if dual else \
                    ("review" if touches else "info")
                out.append(Match("end_user", ms.notice, ms.label, strength,
                                 ("prohibited: " if ban else "") + f"end user {p.end_user!r} is on the {listed} ({entity})"
                                 + ("" if dual else "; the product is not a listed dual-use item"),
                                 entity, "high", requires=tuple(dual), prohibits=ban))
        return out

    def _entity_of(self, p: Product, measure: Measure) -> str | None:
        """The listed entity a product's end user is (names compared without legal-form words), or None."""
        user = vocab.normal_name(p.end_user)
        if len(user) < 4:
            return None
        for ms, names in self._entities:
            if ms is measure:
                for entity, normals in zip(ms.entities, names, strict=True):
                    if any(n and (user == n or user in n or n in user) for n in normals):
                        return entity
        return None

    def _interpretations(self, f: ProductFacts, found: list[Match]) -> list[Match]:
        what = f"{_head(f.product.name)} {_head(f.product.description)}"  # what it is, not what it is for
        concepts = {c for c, rx in CONCEPTS.items() if rx.search(what)}
        if not concepts:
            return []
        out = []
        for notice in sorted({m.notice for m in found if m.rule in ("listed_item", "contains_controlled")}):
            best: dict[str, tuple] = {}  # per interpretation: the answer sharing most concepts with the product
            for st, c, named in self._readings.get(notice, ()):
                score = len(concepts & named)
                if score and score > best.get(st.notice, (0,))[0]:
                    best[st.notice] = (score, st, c)
            for _score, st, c in best.values():
                out.append(Match("interpretation", st.notice, c.label, "info",
                                 f"official interpretation (not the legal text) of {notice}, "
                                 f"{st.issued}: {_short(c.text, 160)}", c.text, "medium", url=st.url))
        return out

    def known_on(self, day: str) -> Screener:
        """The same controls as the documents published by `day` knew them (for 'next change' without hindsight)."""
        from dataclasses import replace as _replace

        from tracker.regime import Regime

        everything = {**self.regime.structures, **self.regime.interpretations}
        regime = Regime({k: v for k, v in everything.items() if (v.issued or "") <= day})
        return Screener(_replace(self.controls, regime=regime))

    # -- verdict on a date ------------------------------------------------------------------------------------
    def state(self, notice: str, label: str, as_of: str):
        key = (notice, label, as_of)
        if key not in self._states:
            if notice not in self.regime.structures:  # an interpretation, or not yet published (known_on)
                self._states[key] = None
            else:
                provision = self.controls.provision_for(notice, label)
                self._states[key] = self.regime.state(provision, as_of) if provision else None
        return self._states[key]

    def verdict(self, f: ProductFacts, found: list[Match], as_of: str) -> dict:
        p = f.product
        reasons, missing, level, prohibited = [], [], 0, False
        for m in found:
            if m.rule == "interpretation" and (
                    m.notice not in self.regime.interpretations
                    or (self.regime.interpretations[m.notice].issued or "") > as_of):
                continue  # not yet published on that date
            st = self.state(m.notice, m.label, as_of)
            status = st.status if st else ("interpretation" if m.rule == "interpretation" else "not_issued")
            if m.rule != "interpretation" and status == "not_issued":
                continue
            applies = status == "in_force" and (not m.requires or any(
                (s := self.state(n, lab, as_of)) is not None and s.status == "in_force" for n, lab in m.requires))
            ambiguous = bool(st and st.ambiguous)
            if applies and m.strength == "licence":
                level = max(level, 3 if not ambiguous else 2)
                prohibited = prohibited or (m.prohibits and not ambiguous)
            elif applies and m.strength == "review" or (ambiguous and m.strength in ("licence", "review")):
                level = max(level, 2)
            if applies and m.missing:
                missing += [x for x in m.missing if x not in missing]
            reasons.append(self._reason(m, st, status, applies))
        hard = []
        if not p.made_in:
            hard.append("made_in")
        if not (p.hs_code or p.materials or p.description):
            hard += ["hs_code", "materials", "description"]
        missing = hard + missing
        if hard or (missing and level < 3):
            verdict = "insufficient_data"
        else:
            verdict = {3: "licence_likely", 2: "review"}.get(level, "not_affected")
        order = {"in_force": 0, "ambiguous": 1, "suspended": 2, "not_yet_effective": 3}
        reasons.sort(key=lambda r: (not r["applies"], order.get(r["status"], 4), r["notice"]))
        return {"sku": p.sku, "name": p.name, "row": p.row, "verdict": verdict, "missing": missing,
                "prohibited": prohibited and verdict == "licence_likely",
                "reasons": reasons, "as_of": as_of, "indicative": "screening, not legal advice"}

    def _reason(self, m: Match, st, status: str, applies: bool) -> dict:
        src = self.regime.structures.get(m.notice) or self.regime.interpretations.get(m.notice)
        if st is not None and st.ambiguous:
            status = "ambiguous"
        text = m.explanation
        by = next((d["notice"] for d in (st.determined_by if st else []) if d.get("role") in ("suspends", "repeals")),
                  None)
        if st is not None and status in ("suspended", "ambiguous") and st.status == "suspended":
            text += (f" — suspended by {by} from {st.since}" + (f" until {st.until}" if st.until else "")
                     + (": the text leaves open whether this is the last day of the suspension (boundary day)"
                        if status == "ambiguous" else ", so it does not apply on this date"))
        elif st is not None and status == "not_yet_effective":
            text += f" — not yet in force: applies from {st.until}"
        elif st is not None and status == "repealed":
            text += f" — repealed by {by} from {st.since}"
        elif status == "in_force" and not applies:
            text += " — does not apply on this date: a provision it depends on is not in force"
        return {"rule": m.rule, "status": status, "applies": applies and m.strength != "info",
                "from": st.since if st else None, "until": st.until if st else None,
                "notice": m.notice, "number": src.number if src else "", "decided_by": by,
                "title": (src.title or src.title_en) if src else "",
                "label": m.label, "url": m.url or (src.url if src else ""), "quote": _short(m.quote, 240),
                "explanation": text, "confidence": m.confidence,
                "official_interpretation": m.rule == "interpretation"}


def notice_named(text: str, notice: str, st) -> bool:
    """An interpretation's answer is about the notice when it names it, or when the whole document is only about
    that notice."""
    from tracker.structure.refs import notice_refs

    refs = {r.id for r in notice_refs(text)}
    return notice in refs or (not refs and {r.target for r in st.relations} == {notice})


STOP = frozenset("with from that this their which for and the into used made other parts part type grade high low "
                 "series model".split())


def _shares_words(description: str, passage: str) -> bool:
    """A passage and a description share a content word (English, 4+ letters) or a glossary term."""
    from tracker.structure.glossary import expand_en

    lowered = passage.lower()
    words = {w for w in re.findall(r"[a-z]{4,}", description.lower()) if w not in STOP}
    if any(re.search(rf"\b{re.escape(w)}", lowered) for w in words):
        return True
    return any(term in passage for term in expand_en(description).split())


def _rank(m: Match, item) -> int:
    return (2 if m.strength == "licence" else 0) + (1 if m.confidence == "high" else 0)


PARAM = re.compile(r"(不低于|不小于|大于等于|不高于|不大于|小于等于|大于|小于|高于|低于|≥|≤|>|<)\s*(\d+(?:\.\d+)?)\s*"
                   r"(Wh/kg|mAh/g|g/cm³|g/cm3|GPa|毫米|mm|纳米|nm|℃|%|立方米|m³)")
UNITS = {"毫米": "mm", "纳米": "nm", "g/cm3": "g/cm³", "立方米": "m³"}
PRODUCT_VALUE = r"(\d+(?:\.\d+)?)\s*(?:{unit})"
PURITY = re.compile(r"(?:purity|纯度)[^0-9]{0,12}(\d+(?:\.\d+)?)\s*%|(9\d\.\d+)\s*%|\b([3-9])N\b", re.IGNORECASE)


def params_fit(parameters: tuple[str, ...], p: Product) -> tuple[str, str]:
    """Compare an item's technical parameters with the values the product states.
    A stated value outside the parameter -> "no"; a parameter the product does not state -> "unsure"."""
    text = f"{p.name} {p.description}"
    unknown = []
    for param in parameters:
        m = PARAM.search(param)
        if not m:
            continue
        op, limit, unit = m.group(1), float(m.group(2)), UNITS.get(m.group(3), m.group(3))
        if unit == "%":
            if not re.search(r"纯度|purity", param, re.IGNORECASE):
                continue  # a share that is not a purity: not comparable with a catalogue row
            values = [_purity(x) for x in PURITY.finditer(text)]
        else:
            values = [float(v) for v in re.findall(PRODUCT_VALUE.format(unit=re.escape(unit)), text)]
        if not values:
            unknown.append(param)
            continue
        if not any(_holds(op, v, limit) for v in values):
            return "no", ""
    if unknown:
        return "unsure", f"; the item is defined by {', '.join(unknown)}, which the catalogue does not state"
    return "yes", ""


def _purity(m: re.Match) -> float:
    if m.group(3):
        return float("99." + "9" * (int(m.group(3)) - 2)) if int(m.group(3)) > 2 else 99.0
    return float(m.group(1) or m.group(2))


def _holds(op: str, value: float, limit: float) -> bool:
    if op in ("不低于", "不小于", "大于等于", "≥"):
        return value >= limit
    if op in ("大于", "高于", ">"):
        return value > limit
    if op in ("不高于", "不大于", "小于等于", "≤"):
        return value <= limit
    return value < limit


def _one_per(matches: list[Match], rule: str, notices: set[str]) -> list[Match]:
    seen: set[str] = set()
    out = []
    for m in matches:
        if m.rule == rule:
            if m.notice in seen:
                continue
            seen.add(m.notice)
        out.append(m)
    return out


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
