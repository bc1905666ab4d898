"""Discovery through the sites' list mechanisms, with paging (mofcom-site.md B.3, B.3a).

Each function yields Listing rows with canonical URLs. Paging stops at the last page, at `max_pages`, or, on an
incremental crawl, after a page whose rows are all already known (lists are newest first).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup

from tracker.errors import ParseError
from tracker.fetch.client import Client
from tracker.fetch.sources import ListSource
from tracker.types import Listing

JPAAS_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
COLUMN_PATH = "/edi_ecms_web_front/front/column/getColumnList"
ARTICLE = re.compile(r"(/art/\d{4}/art_[0-9a-f]{32}\.html?|/article/[\w/]+/\d{6}/\d+\.s?html?)$")
DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def discover(client: Client, source: ListSource, known: set[str]) -> Iterator[Listing]:
    walker = {"jpaas": _jpaas, "column": _column, "html": _html}[source.kind]
    yield from walker(client, source, known)


def _iso(text: str | None) -> str | None:
    match = DATE.search(text or "")
    if not match:
        return None
    y, m, d = match.groups()
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _all_known(rows: list[Listing], known: set[str]) -> bool:
    return bool(known) and bool(rows) and all(r.url in known for r in rows)


def _json(fetched, what: str) -> dict:
    try:
        return json.loads(fetched.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"{what} did not return JSON ({exc})", url=fetched.url) from exc


def _jpaas(client: Client, source: ListSource, known: set[str]) -> Iterator[Listing]:
    pages = source.max_pages
    for page_no in range(1, source.max_pages + 1):
        if page_no > pages:
            return
        query = {
            "parseType": "bulidstatic", "webId": source.web_id, "tplSetId": source.tpl_set_id,
            "pageType": "column", "tagId": "分页列表", "editType": "null", "pageId": source.page_id,
            "paramJson": json.dumps({"pageNo": page_no, "pageSize": str(source.page_size)}),
        }
        fetched = client.get(f"{source.base}{JPAAS_PATH}?{urlencode(query)}", referer=source.index_url)
        payload = _json(fetched, "jpaas list")
        if not payload.get("success"):
            raise ParseError("jpaas list answered success=false", url=fetched.url)
        html = (payload.get("data") or {}).get("html", "")
        soup = BeautifulSoup(html, "lxml")
        counted = soup.find(attrs={"count": True})
        if counted is not None and str(counted["count"]).isdigit():
            pages = min(source.max_pages, max(1, math.ceil(int(counted["count"]) / source.page_size)))
        rows = []
        for a in soup.find_all("a", href=True):
            span = a.find_next("span")
            rows.append(Listing(urljoin(source.base + "/", a["href"]), a.get("title") or a.get_text(" ", strip=True),
                                _iso(span.get_text() if span else None), source.id))
        yield from rows
        if not rows or _all_known(rows, known):
            return


def _column(client: Client, source: ListSource, known: set[str]) -> Iterator[Listing]:
    pages = source.max_pages
    for page_no in range(1, source.max_pages + 1):
        if page_no > pages:
            return
        fetched = client.post(f"{source.base}{COLUMN_PATH}",
                              {"pageNumber": str(page_no), "columnID": str(source.column), "title": ""},
                              referer=source.base + "/")
        info = _json(fetched, "getColumnList").get("pageInfo") or {}
        if isinstance(info.get("maxPageNum"), int):
            pages = min(source.max_pages, info["maxPageNum"])
        rows = [Listing(urljoin(source.base + "/", row["url"]), row.get("title", ""), _iso(row.get("publishTimeStr")),
                        source.id) for row in info.get("rows", []) if row.get("url")]
        yield from rows
        if not rows or _all_known(rows, known):
            return


def _html(client: Client, source: ListSource, known: set[str]) -> Iterator[Listing]:
    url: str | None = source.index_url
    seen_pages: set[str] = set()
    for _ in range(source.max_pages):
        if url is None or url in seen_pages:
            return
        seen_pages.add(url)
        fetched = client.get(url)
        soup = BeautifulSoup(fetched.content, "lxml")
        rows = []
        for a in soup.find_all("a", href=True):
            target = urljoin(url, a["href"])
            if urlsplit(target).hostname != urlsplit(source.base).hostname or not ARTICLE.search(urlsplit(target).path):
                continue
            holder = a.find_parent("li") or a.parent
            rows.append(Listing(target, a.get("title") or a.get_text(" ", strip=True),
                                _iso(holder.get_text(" ") if holder else None), source.id))
        yield from rows
        if not rows or _all_known(rows, known):
            return
        nxt = soup.find("a", attrs={"rel": "next"}) or soup.find("a", class_="next")
        url = urljoin(url, nxt["href"]) if nxt is not None and nxt.get("href") else None
