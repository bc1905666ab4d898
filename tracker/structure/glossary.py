"""The bilingual glossary of elements and materials the controls name (domain vocabulary, not notice facts)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    symbol: str
    zh: str
    en: str
    group: str  # rare_earth | metal | material


TERMS: tuple[Term, ...] = tuple(Term(*t) for t in [
    ("La", "镧", "lanthanum", "rare_earth"), ("Ce", "铈", "cerium", "rare_earth"),
    ("Pr", "镨", "praseodymium", "rare_earth"), ("Nd", "钕", "neodymium", "rare_earth"),
    ("Pm", "钷", "promethium", "rare_earth"), ("Sm", "钐", "samarium", "rare_earth"),
    ("Eu", "铕", "europium", "rare_earth"), ("Gd", "钆", "gadolinium", "rare_earth"),
    ("Tb", "铽", "terbium", "rare_earth"), ("Dy", "镝", "dysprosium", "rare_earth"),
    ("Ho", "钬", "holmium", "rare_earth"), ("Er", "铒", "erbium", "rare_earth"),
    ("Tm", "铥", "thulium", "rare_earth"), ("Yb", "镱", "ytterbium", "rare_earth"),
    ("Lu", "镥", "lutetium", "rare_earth"), ("Sc", "钪", "scandium", "rare_earth"),
    ("Y", "钇", "yttrium", "rare_earth"),
    ("Ga", "镓", "gallium", "metal"), ("Ge", "锗", "germanium", "metal"), ("Sb", "锑", "antimony", "metal"),
    ("W", "钨", "tungsten", "metal"), ("Te", "碲", "tellurium", "metal"), ("Bi", "铋", "bismuth", "metal"),
    ("Mo", "钼", "molybdenum", "metal"), ("In", "铟", "indium", "metal"), ("Li", "锂", "lithium", "metal"),
    ("Co", "钴", "cobalt", "metal"),
    ("graphite", "石墨", "graphite", "material"), ("diamond", "金刚石", "diamond", "material"),
    ("cBN", "立方氮化硼", "cubic boron nitride", "material"),
])
BY_SYMBOL = {t.symbol.lower(): t for t in TERMS}
BY_ZH = {t.zh: t for t in TERMS}
BY_EN = {t.en: t for t in TERMS}
_EN_WORDS = re.compile(r"\b(" + "|".join(sorted((t.en for t in TERMS), key=len, reverse=True)) + r")\b", re.I)


def lookup(name: str) -> Term | None:
    """An element or material by symbol, Chinese or English name: 'Dy', '镝', 'dysprosium'."""
    key = name.strip()
    return BY_SYMBOL.get(key.lower()) or BY_ZH.get(key) or BY_EN.get(key.lower())


def elements_in(text: str) -> tuple[str, ...]:
    """Symbols of the elements and materials a text names, in order of first mention."""
    found: list[tuple[int, str]] = []
    for term in TERMS:
        pos = text.find(term.zh)
        if pos >= 0:
            found.append((pos, term.symbol))
    for m in _EN_WORDS.finditer(text):
        found.append((m.start(), BY_EN[m.group(1).lower()].symbol))
    seen: dict[str, None] = {}
    for _, sym in sorted(found):
        seen.setdefault(sym, None)
    return tuple(seen)


# Export-control vocabulary, to gloss Chinese quotes inside English answers (terms, not facts about notices).
GLOSS = {
    "管控名单": "Control List", "关注名单": "Watch List", "军事用户": "military users", "军事用途": "military uses",
    "军事": "military", "日本": "Japan", "美国": "United States", "核材料": "nuclear material", "核两用": "nuclear dual-use", "导弹": "missile", "生物": "biological",
    "化学": "chemical", "两用物项": "dual-use items", "出口许可": "export licence", "通用许可": "general licence",
    "登记填报": "register-and-report", "最终用户": "end user", "最终用途": "end use", "风险评估报告": "risk assessment report",
    "书面承诺": "written undertaking", "不予许可": "licence denied in principle", "禁止": "prohibited", "暂停实施": "suspended",
    "废止": "repealed", "恢复": "resumed", "大规模杀伤性武器": "weapons of mass destruction", "恐怖主义": "terrorism",
    "人道主义": "humanitarian", "附件": "annex", "海关": "customs", "许可": "licence",
}
_ARTICLE = re.compile(r"第([一二三四五六七八九十百零〇]+)条")


def gloss(text: str) -> str:
    """English glosses of the terms and article numbers a Chinese passage uses: '第二十六条' -> 'Article 26'."""
    from tracker.structure.labels import cn_number

    found = [f"{zh} = {en}" for zh, en in GLOSS.items() if zh in text]
    found += [f"{m.group(0)} = Article {cn_number(m.group(1))}" for m in _ARTICLE.finditer(text)]
    found += [f"{m.group(0)} = {int(m.group(1))}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
              for m in re.finditer(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)]
    return "; ".join(dict.fromkeys(found))


# English words of questions -> the Chinese terms the notices use (query expansion for Chinese-only notices).
EN_ZH = {
    "purity": "纯度", "density": "密度", "compaction": "压实密度", "capacity": "容量", "specific capacity": "比容量",
    "efficiency": "效率", "flexural": "抗折强度", "strength": "强度", "pressure": "压力", "temperature": "温度",
    "equipment": "设备", "technology": "技术", "technologies": "技术", "catalogue": "目录", "catalog": "目录",
    "licence": "许可", "license": "许可", "customs": "海关", "tariff": "税则", "cathode": "正极", "anode": "负极",
    "battery": "电池", "batteries": "电池", "cell": "电池", "graphite": "石墨", "artificial": "人造", "synthetic": "人造",
    "natural": "天然", "diamond": "金刚石", "lab-grown": "培育", "jewellery": "首饰", "jewelry": "首饰",
    "micropowder": "微粉", "wire": "线锯", "saw": "线锯", "grinding": "砂轮", "wheel": "砂轮", "press": "压机",
    "kiln": "窑", "furnace": "炉", "magnet": "磁", "magnets": "磁", "permanent": "永磁", "target": "靶材",
    "targets": "靶材", "sputtering": "溅射", "oxide": "氧化", "compound": "化合物", "compounds": "化合物",
    "metal": "金属", "alloy": "合金", "alloys": "合金", "entity": "实体", "entities": "实体", "japanese": "日本",
    "japan": "日本", "military": "军事", "watch": "关注名单", "repeal": "废止", "repealed": "废止",
    "regulations": "条例", "regulation": "条例", "decree": "令", "adopted": "通过", "removed": "移出", "removal": "移出",
    "undertaking": "承诺", "assessment": "风险评估", "single": "单项", "extraction": "提取", "lithium": "锂",
    "phosphate": "磷酸", "precursor": "前驱体", "leach": "浸出", "impurity": "除杂", "centrifugal": "离心",
    "hydrogen": "氢", "jet": "气流", "mill": "磨", "crystal": "单晶", "single-crystal": "单晶", "wafer": "晶片",
    "substrate": "衬底", "epitaxial": "外延", "ingot": "锭", "tungsten": "钨", "carbide": "碳化", "ammonium": "铵",
    "prohibit": "禁止", "prohibits": "禁止", "prohibited": "禁止", "ban": "禁止", "nuclear": "核", "missile": "导弹",
    "effect": "实施", "effective": "实施", "force": "实施", "threshold": "以上", "dual-use": "两用物项",
    "items": "物项", "item": "物项", "import": "进口", "export": "出口", "adopt": "通过",
    "review": "审查", "time limit": "期限", "verification": "核查", "list": "名单", "transfer": "转移",
    "catch-all": "明知", "knowingly": "明知", "training": "培训", "engineers": "人员", "projects": "项目",
    "overseas": "境外", "participate": "参与", "ceases": "停止执行",
    "ndfeb": "钕铁硼", "neodymium-iron-boron": "钕铁硼", "samarium-cobalt": "钐钴", "smco": "钐钴",
    "preparation": "制备", "prepare": "制备", "production": "生产", "manufacturing": "制造", "manufacture": "制造",
    "import/export": "进出口", "licence management": "许可证管理", "management": "管理", "supplement": "补充",
    "supplements": "补充", "general licence": "通用许可", "general license": "通用许可",
    "reviews": "审查", "application": "申请", "applications": "申请", "apply": "申请", "risk": "风险",
    "written": "书面", "end user": "最终用户", "end-user": "最终用户", "end use": "最终用途",
    "humanitarian": "人道主义", "penalty": "处罚", "penalties": "处罚", "criminal": "刑事", "report": "报告",
    "restricted": "限制", "prohibited from export": "禁止出口", "restricted from export": "限制出口",
    "subsidiaries": "子公司", "branches": "分支机构", "remarks": "备注",
    "declaration": "报关", "declare": "报关", "agency": "代理", "freight": "货运",
    "phosphor": "荧光粉", "phosphors": "荧光粉", "luminescent": "发光", "rotor": "转子", "rotors": "转子",
    "stator": "定子", "stators": "定子", "motor": "电机", "motors": "电机", "assembly": "组件", "assemblies": "组件",
    "component": "零部件", "components": "零部件", "sensor": "传感器", "sensors": "传感器", "catalyst": "催化剂",
    "catalysts": "催化剂", "deep-processed": "深加工", "consumer": "消费", "embedded": "嵌有", "transition": "过渡",
    "contracts": "合同", "contract": "合同", "spokesperson": "发言人", "interpretation": "解读",
}


def expand_en(question: str) -> str:
    """Chinese terms for the English words of a question (elements included)."""
    low = question.lower()
    terms = [zh for en, zh in EN_ZH.items() if re.search(rf"\b{re.escape(en)}\b", low)]
    terms += [t.zh for t in TERMS if re.search(rf"\b{t.en}\b", low)]
    return " ".join(dict.fromkeys(terms))
