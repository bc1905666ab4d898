"""Generic HTML helpers: paragraphs as blocks that keep their numbering, language, annex links."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from tracker.errors import UnsafeLinkError
from tracker.types import AnnexLink, Block

# Numbering markers as printed, outermost first. The structure stage turns them into stable labels.
MARKER = re.compile(
    r"^\s*("
    r"第[一二三四五六七八九十百零〇]+[条章节]"  # 第一条
    r"|[一二三四五六七八九十]+、"  # 一、
    r"|[（(][一二三四五六七八九十]+[)）]"  # （一）
    r"|\d{1,2}[.．、](?![\d.])"  # 1.  (not 1.5 or 2025.)
    r"|[（(]\d{1,2}[)）]"  # （1）
    r"|[a-z][.．](?![a-z\d])"  # a.
    r"|[IVXL]{1,5}\.(?=\s)"  # I.
    r"|\([IVXL]{1,5}\)"  # (I)
    r"|\([a-z]\)"  # (a)
    r")\s*"
)
ANNEX_EXT = {"pdf", "wps", "doc", "docx", "xls", "xlsx", "ofd", "zip", "rar", "et", "txt"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
WS = re.compile(r"[\s\u00a0\u3000]+")


def clean(text: str) -> str:
    return WS.sub(" ", text).strip()


def split_marker(text: str) -> tuple[str, str]:
    match = MARKER.match(text)
    if not match:
        return "", text
    return match.group(1), text[match.end():].strip()


def language(text: str) -> str:
    cjk = len(CJK.findall(text))
    latin = len(LATIN.findall(text))
    return "zh" if cjk >= max(20, latin // 4) or (cjk and cjk * 3 >= latin) else "en"


def paragraphs(container: Tag) -> list[str]:
    """Visible paragraphs of an article container, in order (p, div leaves, list items)."""
    out = []
    for node in container.find_all(["p", "li", "h3", "h4", "div"]):
        if node.name == "div" and node.find(["p", "div", "li"]):
            continue
        if node.find_parent(["script", "style"]):
            continue
        text = clean(node.get_text(" "))
        if text:
            out.append(text)
    return out


def annex_links(container: Tag, page_url: str) -> list[AnnexLink]:
    """Links to annex files. A link whose path climbs out with '..' is refused, never resolved."""
    links, seen = [], set()
    for a in container.find_all("a", href=True):
        href = a["href"].strip()
        path = urlsplit(href).path
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if ext not in ANNEX_EXT and "/cms_files/" not in path:
            continue
        if ".." in unquote(path).split("/"):
            raise UnsafeLinkError(f"refused annex link with '..' in its path: {href}", url=page_url)
        url = urljoin(page_url, href)
        if url in seen:
            continue
        seen.add(url)
        title = _annex_title(clean(a.get_text(" ")), ext) or path.rsplit("/", 1)[-1]
        links.append(AnnexLink(url, title, ext or "bin"))
    return links


def _annex_title(label: str, ext: str) -> str:
    """'1.部分中重稀土相关物项清单.pdf' / 'Annex 1: List ...' -> the title alone."""
    label = re.sub(r"^(附件\s*\d*[:：.、]?|Annex\s*\d*\s*[:：.]?)\s*", "", label, flags=re.I)
    label = re.sub(r"^\d{1,2}\s*[.．、]\s*", "", label)
    if ext and label.lower().endswith("." + ext):
        label = label[: -len(ext) - 1]
    return label.strip()


def blocks_from(lines: list[str], signature: set[int] | None = None) -> tuple[Block, ...]:
    signature = signature or set()
    out = []
    for i, line in enumerate(lines):
        if i in signature:
            out.append(Block(line, "", "signature"))
            continue
        marker, text = split_marker(line)
        out.append(Block(text, marker))
    return tuple(out)


def soup_of(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")
