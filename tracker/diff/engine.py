"""ChangeSets: versions of one notice (`diff_versions`) and one notice against another (`compare`)."""

from __future__ import annotations

from tracker.diff.align import Pair, align
from tracker.diff.classify import classify
from tracker.diff.explain import explain
from tracker.embeddings import Embedder
from tracker.structure.glossary import lookup
from tracker.types import Change, ChangeSet, Clause, ControlItem
from tracker.understand import NoticeStructure

SEVERITY = {"code": 0, "customs number": 1, "date": 2, "number": 3, "element": 4, "scope": 5, "new clause": 6,
            "removed clause": 6, "wording": 7, "annex file": 8, "numbering": 9, "punctuation": 10, "whitespace": 11}


def _meta(st: NoticeStructure) -> list[Clause]:
    return [Clause(label, value, kind="meta", source=st.url) for label, value in
            (("title", st.title if st.lang == "zh" else st.title_en), ("number", st.number),
             ("issued", st.issued or "")) if value]


def side(st: NoticeStructure) -> dict:
    return {"notice": st.notice, "lang": st.lang, "version": st.version, "url": st.url, "issued": st.issued}


def changes_from(pairs: list[Pair], notice: str, version: int) -> list[Change]:
    out: list[Change] = []
    mapping = {p.old.label: p.new.label for p in pairs if p.old is not None and p.new is not None}
    for pair in pairs:
        kind, rank, reasons, ops = classify(pair, mapping)
        if not kind:
            continue
        clause = pair.new or pair.old
        old_label = pair.old.label if pair.old else None
        en, zh = explain(kind, clause.label, old_label, pair.old.text if pair.old else "",
                         pair.new.text if pair.new else "", reasons, ops)
        out.append(Change(kind, clause.label, old_label, pair.old.text if pair.old else "",
                          pair.new.text if pair.new else "", rank, tuple(reasons), tuple(ops), pair.similarity,
                          en, zh, {"notice": notice, "label": clause.label, "url": clause.source,
                                   "version": version if pair.new else version - 1}))
    return _rank_annex_files(out)


def _rank_annex_files(changes: list[Change]) -> list[Change]:
    """A replaced annex file matters as much as the rows that changed inside it."""
    out = []
    for c in changes:
        if "annex file" in c.reasons and any(o.label.startswith(c.label + ".") and o.rank == "substantive"
                                             for o in changes):
            c = Change(**{**c.__dict__, "rank": "substantive"})
        out.append(c)
    return out


def diff_versions(old: NoticeStructure, new: NoticeStructure, embedder: Embedder | None) -> ChangeSet:
    pairs = align(_meta(old) + list(old.clauses), _meta(new) + list(new.clauses), embedder)
    changes = changes_from(pairs, new.notice, new.version)
    return ChangeSet("version", side(old), side(new), tuple(changes), _summary(changes))


def _summary(changes: list[Change]) -> dict:
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.type] = counts.get(c.type, 0) + 1
    return {"changes": len(changes), "substantive": sum(c.rank == "substantive" for c in changes),
            "cosmetic": sum(c.rank == "cosmetic" for c in changes), "by_type": counts}


# -- notice against notice ---------------------------------------------------------------------------------------
def _item_clause(item: ControlItem) -> Clause:
    hs = "、".join(item.hs10 or item.hs8)
    text = f"{item.code} {item.name}：{item.description}" + (f"（{hs}）" if hs else "")
    return Clause(item.label, text, kind="item", source=item.source,
                  cells=(item.code, ",".join(item.elements), ",".join(h[:4] for h in item.hs10 + item.hs8)))


def compare(a: NoticeStructure, b: NoticeStructure, embedder: Embedder | None) -> ChangeSet:
    """Items of A against items of B: paired only where they share an element (or both name none), so that
    '钐金属' is never reported as having become '钬金属'."""
    items_a = _distinct(a.items)
    items_b = _distinct(b.items)
    groups_a = _by_element(items_a)
    groups_b = _by_element(items_b)
    pairs: list[Pair] = []
    for key in sorted(set(groups_a) | set(groups_b)):
        left = [_item_clause(i) for i in groups_a.get(key, [])]
        right = [_item_clause(i) for i in groups_b.get(key, [])]
        pairs += _relabelled(align(left, right, embedder))
    changes = [_only_in(c, a.notice if c.type == "removed" else b.notice, a.version if c.type == "removed"
                        else b.version) for c in changes_from(pairs, b.notice, b.version)]
    elements_a = {i.elements[0] for i in items_a if i.elements}  # an item's own element, not what it mentions
    elements_b = {i.elements[0] for i in items_b if i.elements}
    summary = {
        **_summary(changes),
        "items": {a.notice: len(items_a), b.notice: len(items_b)},
        "elements_only_in": {a.notice: _names(elements_a - elements_b), b.notice: _names(elements_b - elements_a)},
        "elements_in_both": _names(elements_a & elements_b),
        "codes_only_in": {a.notice: _codes(items_a, elements_a - elements_b),
                          b.notice: _codes(items_b, elements_b - elements_a)},
        "reference_numbers": {a.notice: _hs_style(items_a), b.notice: _hs_style(items_b)},
        "effective": {a.notice: _effective(a), b.notice: _effective(b)},
    }
    return ChangeSet("compare", side(a), side(b), tuple(changes), summary)


def _only_in(c: Change, notice: str, version: int) -> Change:
    """Between two notices an unpaired item is not 'removed': it is only in one of them."""
    if c.type not in ("added", "removed"):
        return c
    text = c.new_text or c.old_text
    snippet = text if len(text) <= 70 else text[:69] + "…"
    return Change(**{**c.__dict__, "explanation_en": f"Only in {notice}: “{snippet}”.",
                     "explanation_zh": f"仅见于{notice}：“{snippet}”。",
                     "citation": {**c.citation, "notice": notice, "version": version}})


def _distinct(items: tuple[ControlItem, ...]) -> list[ControlItem]:
    """Prefer annex rows; body clauses naming a family code (1C902) repeat what the rows say."""
    rows = [i for i in items if i.label.startswith("annex")]
    return rows or list(items)


def _by_element(items: list[ControlItem]) -> dict[str, list[ControlItem]]:
    groups: dict[str, list[ControlItem]] = {}
    for item in items:
        groups.setdefault(item.elements[0] if item.elements else "", []).append(item)
    return groups


def _same_kind(a: Clause, b: Clause) -> bool:
    """Items of two notices are the same kind of item when their codes match or, where both give reference
    customs numbers, they share a 4-digit heading (a diamond window, 7104, is not a grinding wheel, 6804)."""
    code_a, _, hs_a = a.cells
    code_b, _, hs_b = b.cells
    if code_a and code_a == code_b:
        return True
    if hs_a and hs_b:
        return bool(set(hs_a.split(",")) & set(hs_b.split(",")))
    return True


def _relabelled(pairs: list[Pair]) -> list[Pair]:
    """Across notices labels are unrelated: a pair of items is 'modified', never 'renumbered'; a pair of
    different kinds of item is split into removed + added."""
    out = []
    for p in pairs:
        if p.old is not None and p.new is not None and not _same_kind(p.old, p.new):
            out += [Pair(p.old, None, "removed"), Pair(None, p.new, "added")]
            continue
        if p.old is not None and p.new is not None and p.old.label != p.new.label:
            p = Pair(Clause(p.new.label, p.old.text, kind=p.old.kind, source=p.old.source), p.new, p.how,
                     p.similarity)
        out.append(p)
    return out


def _names(symbols: set[str]) -> list[dict]:
    out = []
    for s in sorted(symbols):
        term = lookup(s)
        out.append({"symbol": s, "zh": term.zh if term else "", "en": term.en if term else s})
    return out


def _codes(items: list[ControlItem], elements: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if item.code and item.elements and item.elements[0] in elements:
            out.setdefault(item.elements[0], [])
            if item.code not in out[item.elements[0]]:
                out[item.elements[0]].append(item.code)
    return out


def _hs_style(items: list[ControlItem]) -> str:
    ten = sum(bool(i.hs10) for i in items)
    eight = sum(bool(i.hs8) for i in items)
    if ten and not eight:
        return "10-digit reference customs numbers (参考海关商品编号)"
    if eight and not ten:
        return "8-digit reference tariff lines (参考税则号列)"
    return "mixed" if ten or eight else "none"


def _effective(st: NoticeStructure) -> list[dict]:
    return [{"provision": e.label, "date": e.date} for e in st.effective]


def sort_changes(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (c.rank != "substantive", min((SEVERITY.get(r, 99) for r in c.reasons),
                                                                        default=99)))
