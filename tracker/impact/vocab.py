"""Domain vocabulary for screening (what kinds of goods and uses words name), in Chinese and English.

This is language, not facts about notices: which notices control what, from when, with which thresholds, is
read from the documents (tracker.impact.controls)."""

from __future__ import annotations

import re
from functools import lru_cache

# Forms of goods. An item of a notice has the forms its name and description name; a product has the forms its
# name and description name. A product is the listed item when they share a form and the controlled element.
FORMS: dict[str, str] = {
    "metal": r"金属|单质|\bmetals?\b|\bmetallic\b",
    "alloy": r"合金|\balloys?\b",
    "target": r"靶材|\btargets?\b|sputtering",
    "magnet": r"永磁|磁体|磁材|磁钢|\bmagnets?\b|\bmagnetic material",
    "oxide": r"氧化|\boxides?\b|\btrioxide\b|\bdioxide\b",
    "compound": r"化合物|\bcompounds?\b|\bchlorides?\b|\bnitrates?\b|\bcarbonates?\b|\bfluorides?\b|\bsalts?\b",
    "phosphor": r"发光|荧光|\bphosphors?\b|luminescent",
    "wafer": r"衬底|晶圆|晶片|外延片|\bwafers?\b|\bsubstrates?\b|\bepitaxial\b",
    "crystal": r"单晶|多晶|晶体|\bcrystals?\b|\bingots?\b|锭",
    "powder": r"微粉|粉末|\bpowders?\b|\bmicropowder\b",
    "battery": r"电池|\bcells?\b|\bbattery\b|\bbatteries\b|battery packs?",
    "anode": r"负极|\banodes?\b",
    "cathode": r"正极|\bcathodes?\b|前驱体|\bprecursors?\b",
    "carbide": r"碳化|\bcarbides?\b",
    "arsenide": r"砷化|arsenide|\b(?:Ga|In|Al)As\b|InGaAs",
    "nitride": r"氮化|nitride|\b(?:Ga|Al|In)N\b",
    "phosphide": r"磷化|phosphide|\b(?:Ga|In)P\b",
    "antimonide": r"锑化|antimonide|\b(?:Ga|In)Sb\b",
    "selenide": r"硒化|selenide|\bGaSe\b",
    "telluride": r"碲化|telluride|\bCd(?:Zn)?Te\b",
    "saw": r"线锯|\bwire saws?\b",
    "wheel": r"砂轮|\bgrinding wheels?\b",
    "equipment": r"设备|装置|炉|窑|(?<!有)机(?!构|关|制|理|会|场|器人|遇|体)|\bequipment\b|\bfurnaces?\b|\bkilns?\b|\bpress(?:es)?\b|\bmachines?\b",
    "technology": r"技术|\btechnolog(?:y|ies)\b",
}
FORM_RX = {name: re.compile(rx, re.IGNORECASE) for name, rx in FORMS.items()}
# Words that make a product an article built from parts, not the material itself.
ASSEMBLY = re.compile(r"电机|马达|转子|定子|传感器|组件|总成|部件|零件|模组|\bmotors?\b|\brotors?\b|\bstators?\b|"
                      r"\bsensors?\b|\bassembl(?:y|ies)\b|\bmodules?\b|\bactuators?\b|\bspeakers?\b|\bdrives?\b|"
                      r"\bgenerators?\b|\bcompressors?\b|\bpumps?\b|\bdevices?\b|\bphones?\b|\bheadphones?\b|"
                      r"\bparts?\b|\bcomponents?\b|\binserts?\b|\btools?\b|\bblades?\b|\bdrills?\b|"
                      r"\bcutters?\b|刀具|刀片|工具", re.IGNORECASE)
# An item whose text names parts and assemblies covers articles too.
ITEM_PARTS = re.compile(r"零部件|部件|组件|集成|\bparts?\b|\bcomponents?\b|\bassembl", re.IGNORECASE)

COUNTRY_NAMES: dict[str, str] = {"美国": "US", "日本": "JP", "United States": "US", "U.S.": "US", "Japan": "JP",
                                 "韩国": "KR", "欧盟": "EU", "荷兰": "NL", "德国": "DE", "台湾": "TW", "印度": "IN",
                                 "英国": "GB", "加拿大": "CA", "澳大利亚": "AU", "法国": "FR"}

# End uses named in a catalogue row (free text or keywords) -> tags.
END_USE: dict[str, re.Pattern] = {
    "military": re.compile(r"militar|defen[cs]e|weapon|munition|army|navy|air force|armed forces|warship|"
                           r"fighter|missile|军|国防|武器", re.IGNORECASE),
    "wmd": re.compile(r"\bwmd\b|mass destruction|nuclear weapon|chemical weapon|biological weapon|大规模杀伤",
                      re.IGNORECASE),
    "advanced_chips": re.compile(r"advanced[_ ]logic|advanced[_ ]memory|logic chip|memory chip|\b1[0-4] ?nm\b|"
                                 r"\b[2-9] ?nm\b|256[- ]layer|[3-9]\d\d[- ]layer|逻辑芯片|存储芯片", re.IGNORECASE),
    "military_ai": re.compile(r"military[_ ]ai|军事.*人工智能", re.IGNORECASE),
    "terrorism": re.compile(r"terror|恐怖", re.IGNORECASE),
}
# What a clause's words say about end uses and end users.
CLAUSE_END_USE: dict[str, re.Pattern] = {
    "military": re.compile(r"军事用途|军事用户|军事实力|military (?:use|end[- ]use|user)", re.IGNORECASE),
    "wmd": re.compile(r"大规模杀伤性武器|weapons of mass destruction", re.IGNORECASE),
    "terrorism": re.compile(r"恐怖主义|terroris", re.IGNORECASE),
    "advanced_chips": re.compile(r"逻辑芯片|存储芯片|logic chips?|memory chips?", re.IGNORECASE),
    "military_ai": re.compile(r"人工智能|artificial intelligence", re.IGNORECASE),
}
PROHIBIT = re.compile(r"禁止|不得|prohibit|ban", re.IGNORECASE)
DENY = re.compile(r"不予许可|原则上不予|in principle.{0,20}(?:denied|not (?:be )?(?:granted|approved))", re.IGNORECASE)
CASE_BY_CASE = re.compile(r"逐案|case[- ]by[- ]case", re.IGNORECASE)
STRICT = re.compile(r"从严|更严格|stricter", re.IGNORECASE)
FOREIGN_EXPORTER = re.compile(r"境外组织和个人|境外特定出口经营者|foreign (?:organi[sz]ations|exporters)", re.IGNORECASE)
PART = re.compile(r"附件\s*(\d+)\s*(?:第([一二三四五六七八九十])部分)?")
THRESHOLD = re.compile(r"(?:价值|value)[^。；;]{0,30}?(\d+(?:\.\d+)?)\s*%|(\d+(?:\.\d+)?)\s*%[^。；;]{0,20}?(?:价值|value)",
                       re.IGNORECASE)
CN_ORIGIN = re.compile(r"原产于中国|中国原产|Chinese[- ]origin|originating in China", re.IGNORECASE)
TECH_USE = re.compile(r"使用[^。；]{0,10}原产于中国的[^。；]*技术|using Chinese[- ]origin [^.;]*technolog", re.IGNORECASE)
MADE_ABROAD = re.compile(r"境外(?:制造|生产)|在境外|produced abroad|made abroad|manufactured abroad", re.IGNORECASE)


@lru_cache(maxsize=8192)
def forms(text: str) -> frozenset[str]:
    return frozenset(name for name, rx in FORM_RX.items() if rx.search(text))


def end_use_tags(text: str) -> frozenset[str]:
    return frozenset(tag for tag, rx in END_USE.items() if rx.search(text or ""))


def countries_in(text: str) -> frozenset[str]:
    return frozenset(code for name, code in COUNTRY_NAMES.items() if name in text)


def normal_name(text: str) -> str:
    """An organisation name for matching: lower case, no punctuation, no legal-form words."""
    text = re.sub(r"[\W_]+", " ", text.lower())
    text = re.sub(r"\b(?:co|ltd|inc|corp|corporation|company|limited|kabushiki|kaisha|k k|gmbh|plc|llc)\b", " ", text)
    return " ".join(text.split())
