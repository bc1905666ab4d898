"""Type and rank each aligned pair. Substantive: codes, customs numbers, numbers, dates, elements, scope words,
added or removed clauses. Cosmetic: punctuation, whitespace, layout, renumbering, and wording that touches none
of those (e.g. "Measure" -> "Measures"); the reasons still say "wording" so nothing is hidden."""

from __future__ import annotations

import re

from tracker.diff.align import Pair
from tracker.diff.tokens import edits, is_punct, normalise, tokens
from tracker.structure.glossary import elements_in
from tracker.structure.labels import CODE

SCOPE = re.compile(r"不得|禁止|许可|暂停|恢复|废止|实施|施行|管制|出口|进口|原则上|不予|应当|可以|除外|豁免|以上|以下|以内|"
                   r"及|或|含|全部|所有|任何|军事|最终用户|最终用途|管控名单|关注名单|"
                   r"\b(?:not|no|shall|may|must|prohibit\w*|licen[cs]e\w*|suspend\w*|repeal\w*|except\w*|exempt\w*|"
                   r"export\w*|import\w*|military|all|any|only|above|below|or|and)\b", re.I)
MONTHS = re.compile(r"January|February|March|April|May|June|July|August|September|October|November|December", re.I)
REASON_ORDER = ["new clause", "removed clause", "code", "customs number", "date", "number", "element", "scope",
                "annex file", "wording", "punctuation", "whitespace", "numbering"]


def change_type(pair: Pair, mapping: dict[str, str] | None = None) -> str:
    """A relabelled clause is 'renumbered' when it stays under the same parent (the parent itself may have been
    renumbered: `mapping` maps old labels to new ones), 'moved' when its parent is another clause."""
    if pair.old is None:
        return "added"
    if pair.new is None:
        return "removed"
    if pair.old.label == pair.new.label:
        return "modified"
    old_parent = _parent(pair.old.label)
    same_parent = (mapping or {}).get(old_parent, old_parent) == _parent(pair.new.label)
    return "renumbered" if same_parent else "moved"


def _parent(label: str) -> str:
    return label.rsplit(".", 1)[0] if "." in label else ""


def reasons_of(old: str, new: str, ops: list[tuple[str, str, str]]) -> list[str]:
    found: set[str] = set()
    for _, a, b in ops:
        span = f"{a} {b}"
        if not any(not is_punct(t) for t in tokens(a) + tokens(b)):
            found.add("punctuation")
            continue
        if CODE.search(span):
            found.add("code")
        digits = re.findall(r"\d+", span)
        if any(len(d) in (8, 10) for d in digits):
            found.add("customs number")
        if re.search(r"[年月日]", span) or MONTHS.search(span) or any(len(d) == 4 and d[:2] in ("19", "20")
                                                                    for d in digits):
            found.add("date")
        elif digits and not any(len(d) in (8, 10) for d in digits):
            found.add("number")
        if elements_in(span):
            found.add("element")
        if SCOPE.search(span):
            found.add("scope")
        if not found & {"code", "customs number", "date", "number", "element", "scope"}:
            found.add("wording")
    return sorted(found, key=REASON_ORDER.index)


def classify(pair: Pair, mapping: dict[str, str] | None = None) -> tuple[str, str, list[str],
                                                                     list[tuple[str, str, str]]]:
    """(type, rank, reasons, edits) of an aligned pair, or type '' when nothing changed."""
    kind = change_type(pair, mapping)
    if kind == "added":
        return kind, "substantive", ["new clause"], []
    if kind == "removed":
        return kind, "substantive", ["removed clause"], []
    old, new = pair.old.text, pair.new.text
    ops = edits(old, new) if old != new else []
    if kind == "modified" and not ops:
        if old == new:
            return "", "", [], []
        return kind, "cosmetic", ["whitespace"], [("replace", old, new)]  # same tokens, other spacing
    if kind == "modified" and pair.old.kind == "annex_file":
        return kind, "cosmetic", ["annex file"], ops
    reasons = reasons_of(old, new, ops)
    if kind != "modified":
        reasons = ["numbering"] + reasons
    weighty = {"code", "customs number", "date", "number", "element", "scope"}
    cosmetic = normalise(old) == normalise(new) or not (set(reasons) & weighty)
    return kind, "cosmetic" if cosmetic else "substantive", reasons, ops
