"""Document numbers: 【发布文号】商务部 海关总署公告2025年第18号 -> DocNumber -> id "mofcom-gacc-2025-18".

Identity is the number, not the URL: the same notice on www, aqygzj, exportcontrol and english hosts is one
notice. Issuers are abbreviated through a glossary of issuing bodies and put in a fixed precedence order, so the
Chinese and English pages of one notice get the same id and the two different "No. 57" never merge
(mofcom-most-2023-57 vs mofcom-gacc-2025-57).
"""

from __future__ import annotations

import re

from tracker.types import DocNumber

# Issuing bodies: Chinese names (full and short) and English names -> abbreviation. Order = precedence in ids.
ISSUERS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("sc", ("国务院",), ("State Council",)),
    ("mofcom", ("商务部", "中华人民共和国商务部"), ("Ministry of Commerce", "MOFCOM", "MOC")),
    ("most", ("科学技术部", "科技部"), ("Ministry of Science and Technology", "MOST")),
    ("miit", ("工业和信息化部", "工信部"), ("Ministry of Industry and Information Technology", "MIIT")),
    ("ndrc", ("国家发展和改革委员会", "国家发展改革委"), ("National Development and Reform Commission", "NDRC")),
    ("gacc", ("海关总署",), ("General Administration of Customs", "GACC", "GAC")),
    ("sca", ("国家密码管理局", "国家密码局"), ("State Cryptography Administration", "SCA", "OSCCA")),
]
_PRECEDENCE = {abbr: i for i, (abbr, _, _) in enumerate(ISSUERS)}
_ZH_NAMES = sorted(((name, abbr) for abbr, names, _ in ISSUERS for name in names), key=lambda x: -len(x[0]))
_EN_NAMES = sorted(((name, abbr) for abbr, _, names in ISSUERS for name in names), key=lambda x: -len(x[0]))

CN_NUMBER = re.compile(
    r"(?P<who>(?:[\u4e00-\u9fff]+[\s\u3000、]*)+?)\s*(?P<form>公告|令)\s*(?:(?P<year>\d{4})\s*年)?\s*"
    r"(?:第\s*(?P<seq>\d+)\s*号)?"
)
EN_NUMBER = re.compile(
    r"\b(?P<form>Announcement|Decree|Order)\s+No\.?\s*(?P<seq>\d+)(?:\s*(?:of|\[|\(|,)\s*(?P<year>\d{4}))?", re.I
)


def _order(abbrs: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(abbrs), key=_PRECEDENCE.__getitem__))


def issuers_in(text: str) -> tuple[str, ...]:
    """Abbreviations of the issuing bodies named in Chinese text, e.g. '商务部 海关总署' -> ('mofcom', 'gacc')."""
    found, rest = [], text
    for name, abbr in _ZH_NAMES:
        if name in rest:
            found.append(abbr)
            rest = rest.replace(name, " ")
    return _order(found)


def parse_cn(text: str, issued: str | None = None) -> DocNumber | None:
    """Parse a Chinese document number; None when the text holds none.

    '商务部 海关总署公告2025年第18号' -> announcement; '国务院令第792号' -> decree;
    '商务部 海关总署公告' (no number printed) -> unnumbered, identified by its issue date.
    """
    text = " ".join(text.split())
    match = CN_NUMBER.search(text)
    if not match:
        issuers = issuers_in(text)
        if issuers and issued:  # a title such as 商务部 海关总署公布《...目录》: no number printed
            return DocNumber(issuers, None, None, "unnumbered", "", issued)
        return None
    issuers = issuers_in(match.group("who"))
    if not issuers:
        return None
    seq = int(match.group("seq")) if match.group("seq") else None
    year = int(match.group("year")) if match.group("year") else None
    if match.group("form") == "令" and seq is not None:
        return DocNumber(issuers, year, seq, "decree", match.group(0).strip())
    if seq is None or year is None:
        if not issued:
            return None
        return DocNumber(issuers, None, None, "unnumbered", match.group(0).strip(), issued)
    return DocNumber(issuers, year, seq, "announcement", match.group(0).strip())


def title_key(title: str) -> str:
    """A short stable key of a title: the same remarks on two hosts (same title) get the same key."""
    import hashlib

    normal = re.sub(r"[\W_]+", "", title).lower()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()[:6]


def parse_en(text: str) -> DocNumber | None:
    """Parse an English title such as 'MOFCOM GAC Announcement No. 18 of 2025 on ...'."""
    text = " ".join(text.split())
    match = EN_NUMBER.search(text)
    if not match:
        return None
    found, rest = [], text
    for name, abbr in _EN_NAMES:
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        if pattern.search(rest):
            found.append(abbr)
            rest = pattern.sub(" ", rest)
    if not found:
        return None
    form = "decree" if match.group("form").lower() in ("decree", "order") else "announcement"
    year = int(match.group("year")) if match.group("year") else None
    if form == "announcement" and year is None:
        return None
    return DocNumber(_order(found), year, int(match.group("seq")), form, match.group(0))
