"""Control items: codes (1C902.a, 3C901.a.1), elements, reference customs numbers (10-digit 参考海关商品编号,
8-digit 参考税则号列), technical parameters, reserved (【保留】) slots; from annex rows and from body clauses."""

from __future__ import annotations

import re

from tracker.structure.glossary import elements_in
from tracker.structure.labels import CODE
from tracker.types import Clause, ControlItem

HS10 = re.compile(r"(?<!\d)\d{10}(?!\d)")
HS8 = re.compile(r"(?<!\d)\d{8}(?!\d)")
HS_LABEL10 = re.compile(r"(参考海关商品编号|海关商品编号|customs commodity (?:number|code)s?|HS codes?)", re.I)
HS_LABEL8 = re.compile(r"(参考税则号列|税则号列|tariff lines?)", re.I)
PARAM = re.compile(
    r"(?:(?:纯度|密度|压实密度|强度|抗折强度|压力|缸径|直径|容量|克容量|能量密度|位错密度|粒度|线速度|处理能力|温度|层数)"
    r"[^，。；、]{0,8}?)?"
    r"(?:≥|≤|>|<|＞|＜|大于等于|小于等于|大于|小于|不低于|不小于|不高于|高于|达到|超过)\s*"
    r"\d+(?:[.,]\d+)*\s*(?:%|％|Wh/kg|g/cm³|g/cm3|克/立方厘米|mAh/g|MPa|GPa|兆帕|吉帕|mm|毫米|nm|纳米|层|m³|立方米"
    r"|°C|℃|/cm²|个/平方厘米|μm|微米|m/s|米/秒)?(?:及以上|以上|及以下|以下)?")
RESERVED = "【保留】"


def _cols(header: tuple[str, ...], *needles: str) -> int | None:
    for i, h in enumerate(header):
        if any(n in h.lower() for n in needles):
            return i
    return None


def items_from_row(clause: Clause) -> list[ControlItem]:
    header, cells = clause.header, clause.cells
    code_i = _cols(header, "编码", "code")
    name_i = _cols(header, "名称", "name", "物项")
    desc_i = _cols(header, "描述", "description", "控制要点", "技术")
    hs_i = _cols(header, "商品编号", "税则号列", "hs", "tariff", "customs")
    get = (lambda i: cells[i] if i is not None and i < len(cells) else "")
    codes = CODE.findall(get(code_i)) or [""]
    if not codes[0] and code_i is None and not HS10.search(clause.text) and not HS8.search(clause.text):
        return []  # an entity list or a repeal list row, not a control item
    name, description, hs_text = get(name_i), get(desc_i), get(hs_i)
    reserved = RESERVED in clause.text
    eight = hs_i is not None and "税则" in header[hs_i]
    hs10 = tuple(dict.fromkeys(HS10.findall(hs_text))) if not eight else ()
    hs8 = tuple(dict.fromkeys(HS8.findall(hs_text))) if eight else ()
    return [ControlItem(code, clause.label, name, description, elements_in(f"{name} {description}"), hs10, hs8,
                        tuple(dict.fromkeys(m.group(0).strip() for m in PARAM.finditer(description))), reserved,
                        clause.source) for code in codes]


def items_from_clause(clause: Clause) -> list[ControlItem]:
    """Body clauses that name a control code or reference customs numbers are items too."""
    codes = CODE.findall(clause.text)
    hs10 = tuple(dict.fromkeys(HS10.findall(clause.text))) if HS_LABEL10.search(clause.text) else ()
    hs8 = tuple(dict.fromkeys(HS8.findall(clause.text))) if HS_LABEL8.search(clause.text) else ()
    if not codes and not hs10 and not hs8:
        return []
    name = re.split(r"[（(：:，,。]", clause.text, maxsplit=1)[0][:60]
    params = tuple(dict.fromkeys(m.group(0).strip() for m in PARAM.finditer(clause.text)))
    elements = elements_in(clause.text)
    return [ControlItem(code, clause.label, name, clause.text, elements, hs10, hs8, params,
                        RESERVED in clause.text, clause.source) for code in (codes or [""])]


def control_items(clauses: list[Clause]) -> list[ControlItem]:
    out: list[ControlItem] = []
    for clause in clauses:
        if clause.kind == "annex_row":
            out += items_from_row(clause)
        elif clause.kind in ("clause", "para"):
            out += items_from_clause(clause)
    return out
