"""MOFCOM site quirks, all in one place: article containers per host shape, the bracketed metadata fields,
the exportcontrol JavaScript variables, English pages, the portal shell of a removed article.

Class names change with redesigns, so the metadata are matched by their labels in text
(【发布单位】【发布文号】【发文日期】, legacy 【发布日期】, Big5 【發佈單位】...), and containers are tried in order.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from tracker.errors import MissingMetadataError, PageRemovedError
from tracker.parse.docnum import issuers_in, parse_cn, parse_en, title_key
from tracker.parse.html import annex_links, blocks_from, clean, language, paragraphs, soup_of
from tracker.types import DocNumber, ParsedPage

# (layout name, CSS selector of the article container), tried in order.
CONTAINERS = [
    ("exportcontrol", "div.m-art div.bd"),
    ("www", "div[ergodic=article]"),
    ("www", "div.art-con"),
    ("aqygzj", "div.TRS_Editor"),
    ("legacy", "div.artCon"),
    ("legacy", "#zoom"),
]
FIELD = re.compile(r"【(发布单位|發佈單位|发布文号|發佈文號|发文日期|发布日期|發佈日期|發文日期)】\s*([^【]*)")
FIELD_NAMES = {"发布单位": "unit", "發佈單位": "unit", "发布文号": "number", "發佈文號": "number",
               "发文日期": "date", "发布日期": "date", "發佈日期": "date", "發文日期": "date"}
CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
EN_DATE = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December)"
                     r"\s+(\d{1,2}),\s*(\d{4})")
MONTHS = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July", "August",
                                       "September", "October", "November", "December"], 1)}
JS_VAR = re.compile(r"var\s+(\w+)\s*=\s*'((?:[^'\\]|\\.)*)'")
ANNEX_HEAD = re.compile(r"^(附件[:：]?|Annex(es)?[:：]?)$", re.I)
# Official interpretations (spokesperson remarks, press Q&As, FAQs): no document number of their own. Known by
# their title or by the site section that carries them (aqygzj /zhxx/, exportcontrol news and FAQ columns,
# English press conferences). A page with a 【发布文号】 is always a notice, whatever its section.
INTERP_TITLE = re.compile(r"答记者问|记者问|发言人|答问|问答|常见问题|解读|发表谈话|Spokes(?:person|man)|Press Conference|"
                          r"Q\s*&\s*A|\bFAQs?\b|Questions and Answers|Remarks", re.I)
INTERP_PATH = re.compile(r"/(?:zhxx|cjwt|gndt|News/PressConference)/", re.I)


def is_interpretation(url: str, title: str) -> bool:
    return bool(INTERP_TITLE.search(title) or INTERP_PATH.search(url))


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    for pattern in (CN_DATE, ISO_DATE):
        match = pattern.search(text)
        if match:
            y, m, d = match.groups()
            return f"{y}-{int(m):02d}-{int(d):02d}"
    match = EN_DATE.search(text)
    if match:
        return f"{match.group(3)}-{MONTHS[match.group(1)]:02d}-{int(match.group(2)):02d}"
    return None


def _container(soup: BeautifulSoup) -> tuple[str, Tag | None]:
    for layout, selector in CONTAINERS:
        node = soup.select_one(selector)
        if node is not None and clean(node.get_text(" ")):
            return layout, node
    return "", None


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name})
    return clean(tag.get("content", "")) if tag else ""


def _js_vars(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for script in soup.find_all("script"):
        for key, value in JS_VAR.findall(script.string or ""):
            found.setdefault(key, value.replace("\\'", "'").replace("\\\\", "\\"))
    return found


def _signature_lines(container: Tag, lines: list[str]) -> set[int]:
    """Trailing lines that sign the notice: issuing bodies and the date, usually right-aligned."""
    right = {clean(p.get_text(" ")) for p in container.find_all("p", style=re.compile(r"text-align:\s*right"))}
    out: set[int] = set()
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        bodies_only = issuers_in(line) and not re.sub(r"[\s\u4e00-\u9fff]", "", line) and len(line) <= 40
        date_only = iso_date(line) and len(line) <= 20
        if line in right or bodies_only or date_only:
            out.add(i)
        else:
            break  # only the trailing run of lines signs the notice
    return out


def parse_page(url: str, text: str) -> ParsedPage:
    """Parse an article page of any MOFCOM host. Raises PageRemovedError / MissingMetadataError."""
    soup = soup_of(text)
    layout, container = _container(soup)
    if container is None:
        raise PageRemovedError("no article on the page (removed, or the page changed shape)", url=url)
    js = _js_vars(soup)
    heading = soup.select_one("div.art-title h1, h1, h2.article-title, div.artTitle h3, h2")
    title = (_meta(soup, "ArticleTitle") or js.get("title")
             or (clean(heading.get_text(" ")) if heading else "") or clean(soup.title.get_text() if soup.title else ""))
    page_text = clean(soup.get_text(" "))
    links = annex_links(container, url)
    annex_urls = {a.url for a in links}
    link_texts = {clean(a.get_text(" ")) for a in container.find_all("a", href=True)
                  if urljoin(url, a["href"].strip()) in annex_urls}
    lines = [line for line in paragraphs(container)
             if line not in link_texts and not ANNEX_HEAD.match(line)]
    fields: dict[str, str] = {}
    body_lines = []
    for line in lines:
        found = FIELD.findall(line)
        if found:
            for label, value in found:
                fields.setdefault(FIELD_NAMES[label], clean(value))
        else:
            body_lines.append(line)
    lang = language(" ".join(body_lines) or title)
    source = (_after(page_text, r"(?:文章)?来源[:：]\s*") or _after(page_text, r"\bSource[:：]\s*")
              or js.get("source", "") or _meta(soup, "ContentSource"))
    doc_type = _after(page_text, r"(?:文章)?类型[:：]\s*") or js.get("articleType", "")
    info = soup.select_one("div.art-info, div.article-info, p.artInfo, .info")
    published = iso_date(_meta(soup, "PubDate") or js.get("publishTime") or (info.get_text(" ") if info else ""))
    sig = _signature_lines(container, body_lines)
    blocks = blocks_from(body_lines, sig)
    if "number" not in fields and is_interpretation(url, title):
        issued = iso_date(fields.get("date")) or published or iso_date(" ".join(b.text for b in blocks[-2:]))
        if issued is None:
            raise MissingMetadataError("interpretation page shows no date", url=url)
        number = DocNumber(issuers_in(fields.get("unit", "") + source) or ("mofcom",), None, None, "interpretation",
                           "", issued, title_key(title))
        return ParsedPage(url, lang, layout or ("english" if lang == "en" else ""), title, number,
                          fields.get("unit", ""), issued, published, source, doc_type, blocks, tuple(links),
                          kind="interpretation")
    if lang == "en":
        number = parse_en(title) or next((n for b in blocks[:3] if (n := parse_en(b.text))), None)
        if number is None:
            raise MissingMetadataError("English page names no announcement number in its title", url=url)
        issued = iso_date(" ".join(b.text for b in blocks if b.kind == "signature")) or published
        return ParsedPage(url, "en", layout or "english", title, number, "", issued, published, source, doc_type,
                          blocks, tuple(links))
    if not fields:
        raise MissingMetadataError("no 【发布单位】/【发布文号】/【发文日期】 fields on the page", url=url)
    issued = iso_date(fields.get("date"))
    if issued is None:
        raise MissingMetadataError("no 【发文日期】/【发布日期】 date on the page", url=url)
    if "number" not in fields:
        # Some notices are published without a number (e.g. an annual catalogue): identified by the issuing
        # bodies the title names and the issue date.
        if not issuers_in(title):
            raise MissingMetadataError("no 【发布文号】 field, and the title names no issuing body", url=url)
        fields["number"] = title
    number = parse_cn(fields["number"], issued)
    if number is None:
        raise MissingMetadataError(f"cannot read the document number {fields['number']!r}", url=url)
    return ParsedPage(url, "zh", layout, title, number, fields.get("unit", ""), issued, published, source,
                      doc_type, blocks, tuple(links))


def _after(text: str, label: str) -> str:
    match = re.search(label + r"([^\s　]+)", text)
    return match.group(1) if match else ""
