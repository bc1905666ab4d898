"""Plain-language explanations of a change, in English and Chinese, built only from the structured change
(labels, edit spans, reasons): deterministic, nothing generated freely."""

from __future__ import annotations

import re

from tracker.structure.labels import CODE

ZH_REASONS = {"new clause": "新增条款", "removed clause": "删除条款", "code": "管制编码", "customs number": "海关商品编号",
              "date": "日期", "number": "数值", "element": "元素", "scope": "适用范围用语", "annex file": "附件文件",
              "wording": "文字", "punctuation": "标点", "whitespace": "空格", "numbering": "编号"}
CN = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN[tens] + "十" + (CN[ones] if ones else "")


def where(label: str) -> tuple[str, str]:
    """('Annex 1, Part 2, item 1C902.a', '附件1第二部分1C902.a项') for a label."""
    if label in ("title", "number", "issued", "unit"):
        return {"title": ("Title", "标题"), "number": ("Document number", "文号"),
                "issued": ("Issue date", "发文日期"), "unit": ("Issuing unit", "发布单位")}[label]
    if label.startswith("signature"):
        return "Signature block", "落款"
    if label.startswith("preamble"):
        return f"Preamble, paragraph {label.split('.')[-1]}", f"序言第{label.split('.')[-1]}段"
    if label.startswith("annex"):
        parts = label.split(".")
        n = parts[0][5:]
        en, zh = [f"Annex {n}"], [f"附件{n}"]
        rest = ".".join(parts[1:])
        m = re.match(r"part(\d+)(?:\.(\d+))?\.?(.*)", rest)
        if m:
            en.append(f"Part {m.group(1)}" + (f".{m.group(2)}" if m.group(2) else ""))
            zh.append(f"第{_cn(int(m.group(1)))}部分")
            rest = m.group(3)
        if CODE.fullmatch(rest.split("~")[0]):
            en.append(f"item {rest}")
            zh.append(f"第{rest}项")
        elif rest.startswith("row"):
            en.append(f"row {rest[3:]}")
            zh.append(f"第{rest[3:]}行")
        elif rest.startswith("p"):
            en.append(f"note {rest[1:]}")
            zh.append(f"说明第{rest[1:]}段")
        return ", ".join(en), "".join(zh)
    parts = label.split(".")
    en = f"Clause {label}"
    zh = ""
    for depth, part in enumerate(parts):
        if part.startswith("p") and part[1:].isdigit():
            zh += f"第{part[1:]}段"
        elif part.isdigit():
            n = int(part)
            zh += [f"第{_cn(n)}条", f"第（{_cn(n)}）项", f"第{n}目", f"第（{n}）点"][min(depth, 3)]
        else:
            zh += f"{part}目"
    return en, zh


def _url(text: str) -> str:
    m = re.search(r"https?://[^）)\s]+", text)
    return m.group(0) if m else ""


def _snip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(kind: str, label: str, old_label: str | None, old: str, new: str, reasons: list[str],
            ops: list[tuple[str, str, str]]) -> tuple[str, str]:
    en_where, zh_where = where(label)
    tag_en = f" ({', '.join(r for r in reasons if r not in ('new clause', 'removed clause', 'numbering'))})"
    tag_zh = "（" + "、".join(ZH_REASONS[r] for r in reasons
                             if r not in ("new clause", "removed clause", "numbering")) + "）"
    tag_en = "" if tag_en == " ()" else tag_en
    tag_zh = "" if tag_zh == "（）" else tag_zh
    if kind == "added":
        return f"{en_where}: added: “{_snip(new)}”.", f"{zh_where}：新增“{_snip(new)}”。"
    if kind == "removed":
        return f"{en_where}: removed: “{_snip(old)}”.", f"{zh_where}：删除“{_snip(old)}”。"
    if "annex file" in reasons:
        new_url, old_url = _url(new), _url(old)
        return (f"{en_where} was replaced by a new file{f' at {new_url}' if new_url != old_url else ''}"
                f"{f' (previously {old_url})' if new_url != old_url else ''}.",
                f"{zh_where}已更换为新文件{f'（{new_url}，原文件{old_url}）' if new_url != old_url else ''}。")
    if reasons == ["whitespace"]:
        return f"{en_where}: spacing or layout changed only.", f"{zh_where}：仅空格或版式调整。"
    en_edits, zh_edits = [], []
    for op, a, b in ops[:3]:
        if op == "replace":
            en_edits.append(f"“{_snip(a, 40)}” → “{_snip(b, 40)}”")
            zh_edits.append(f"“{_snip(a, 40)}”改为“{_snip(b, 40)}”")
        elif op == "delete":
            en_edits.append(f"deleted “{_snip(a, 40)}”")
            zh_edits.append(f"删去“{_snip(a, 40)}”")
        else:
            en_edits.append(f"inserted “{_snip(b, 40)}”")
            zh_edits.append(f"增加“{_snip(b, 40)}”")
    if len(ops) > 3:
        en_edits.append(f"and {len(ops) - 3} more edit(s)")
        zh_edits.append(f"另有{len(ops) - 3}处修改")
    en_text, zh_text = "; ".join(en_edits), "；".join(zh_edits)
    if kind in ("renumbered", "moved"):
        old_en, old_zh = where(old_label or "")
        verb_en = "renumbered" if kind == "renumbered" else "moved"
        verb_zh = "编号调整" if kind == "renumbered" else "位置移动"
        en = f"{old_en} {verb_en} to {en_where}" + (f"; {en_text}{tag_en}" if ops else ", wording unchanged") + "."
        zh = f"{old_zh}{verb_zh}为{zh_where}" + (f"；{zh_text}{tag_zh}" if ops else "，文字未变") + "。"
        return en, zh
    return f"{en_where}: {en_text}{tag_en}.", f"{zh_where}：{zh_text}{tag_zh}。"
