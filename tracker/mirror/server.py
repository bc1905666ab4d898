"""Serve corpus/ as the MOFCOM sites stood on a given day: `tracker corpus serve --clock 2025-10-20`.

Every real host lives under /<host>/... ; lists (jpaas JSON, exportcontrol getColumnList, server-rendered list
pages) show only what was published by the clock; dated variants switch on their dates; a removed page comes
back as HTTP 200 with the portal shell. ETag / Last-Modified and conditional GET work as on a real server.

For tests, a manifest entry may carry `fault = "..."`: status:404, flaky:500 (500 once, then the page),
reset, reset-once, timeout:<s>, truncate, redirect:<url>, oversize:<bytes>, slow:<s>.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tracker.errors import ConfigError

JPAAS_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
COLUMN_PATH = "/edi_ecms_web_front/front/column/getColumnList"
TYPES = {"html": "text/html", "htm": "text/html", "shtml": "text/html", "pdf": "application/pdf",
         "txt": "text/plain", "json": "application/json"}
SHELL = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>商务部网站</title></head>
<body><div class="header"><a href="/">中华人民共和国商务部</a></div>
<div class="crumbs">首页</div><div class="main"><p class="tip">您访问的页面不存在或已被删除。</p></div>
<div class="footer">主办单位：中华人民共和国商务部</div></body></html>
""".encode()


@dataclass
class Entry:
    url: str
    host: str
    path: str
    kind: str
    published: str
    title: str
    lists: list[str]
    file: str
    charset: str = "utf-8"
    fault: str = ""
    variants: list[dict] = field(default_factory=list)

    def at(self, clock: str) -> tuple[str, str | None] | None:
        """(since, file) in force on `clock`; file None = removed; None = not yet published."""
        if self.published > clock:
            return None
        since, current = self.published, self.file
        for v in sorted(self.variants, key=lambda v: v["from"]):
            if v["from"] <= clock:
                since, current = v["from"], (None if v.get("removed") else v["file"])
        return since, current


class Mirror:
    def __init__(self, root: Path, clock: str) -> None:
        self.root = Path(root)
        self.clock = clock
        path = self.root / "manifest.toml"
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read mirror manifest {path}: {exc}") from exc
        self.lists = data.get("list", [])
        self.entries: dict[tuple[str, str], Entry] = {}
        for raw in data.get("doc", []):
            parts = urlsplit(raw["url"])
            entry = Entry(raw["url"], parts.hostname, parts.path, raw.get("kind", "page"), raw["published"],
                          raw.get("title", ""), raw.get("lists", []), raw.get("file", ""), raw.get("charset", "utf-8"),
                          raw.get("fault", ""), raw.get("variant", []))
            self.entries[(entry.host, entry.path)] = entry
        self.hosts = {h for h, _ in self.entries} | {item["host"] for item in self.lists}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def dates(self) -> list[str]:
        """Every day on which something was published or changed: the steps of the clock."""
        found = set()
        for e in self.entries.values():
            found.add(e.published)
            found.update(v["from"] for v in e.variants)
        return sorted(found)

    def visible(self, list_id: str) -> list[tuple[Entry, str]]:
        rows = []
        for entry in self.entries.values():
            if list_id not in entry.lists:
                continue
            state = entry.at(self.clock)
            if state is None or state[1] is None:
                continue
            rows.append((entry, entry.published))
        rows.sort(key=lambda r: (r[1], r[0].url), reverse=True)
        return rows

    def count_hit(self, url: str) -> int:
        with self.lock:
            self.hits[url] = self.hits.get(url, 0) + 1
            return self.hits[url]


class Handler(BaseHTTPRequestHandler):
    server_version = "mofcom-mirror/1"
    protocol_version = "HTTP/1.1"
    mirror: Mirror  # set on the server subclass

    def log_message(self, fmt, *args):  # quiet: tests and the demo print their own story
        pass

    # -- routing --------------------------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802
        self._route("GET", {})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._route("POST", {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})

    def _route(self, method: str, form: dict[str, str]) -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        path = "/" + rest
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if host not in mirror.hosts:
            return self._send(404, b"unknown host", "text/plain")
        if path == JPAAS_PATH:
            return self._jpaas(host, query)
        if path == COLUMN_PATH and method == "POST":
            return self._column(host, form)
        if path == "/robots.txt":
            robots = mirror.root / "sites" / host / "robots.txt"
            return self._send(200, robots.read_bytes() if robots.exists() else b"User-agent: *\nAllow: /\n",
                              "text/plain")
        for item in mirror.lists:
            if item["kind"] == "html" and item["host"] == host:
                page = _list_page_number(item["index"], path)
                if page:
                    return self._html_list(item, page)
            if item["kind"] == "jpaas" and item["host"] == host and path == item["index"]:
                return self._send(200, _jpaas_shell(item), "text/html; charset=utf-8")
        entry = mirror.entries.get((host, path))
        if entry is None:
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        state = entry.at(mirror.clock)
        if state is None:
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        since, file = state
        if file is None:
            return self._send(200, SHELL, "text/html; charset=utf-8")
        if entry.fault and self._fault(entry):
            return None
        data = (mirror.root / file).read_bytes()
        ext = path.rsplit(".", 1)[-1].lower()
        ctype = TYPES.get(ext, "application/octet-stream")
        if ctype == "text/html" and entry.charset:
            ctype += f"; charset={entry.charset}"
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        modified = formatdate(time.mktime(time.strptime(since, "%Y-%m-%d")), usegmt=True)
        if self.headers.get("If-None-Match") == etag or _not_modified_since(self.headers.get("If-Modified-Since"),
                                                                           since, etag, self.headers):
            return self._send(304, b"", ctype, {"ETag": etag, "Last-Modified": modified})
        return self._send(200, data, ctype, {"ETag": etag, "Last-Modified": modified})

    # -- lists ---------------------------------------------------------------------------------------------
    def _jpaas(self, host: str, query: dict[str, str]) -> None:
        mirror = self.server.mirror
        item = next((i for i in mirror.lists if i["kind"] == "jpaas" and i["host"] == host
                     and i.get("page_id") == query.get("pageId")), None)
        if item is None:
            return self._send(200, json.dumps({"success": False, "message": "page not found"}).encode(),
                              "application/json")
        try:
            params = json.loads(query.get("paramJson") or "{}")
            page_no, size = int(params.get("pageNo", 1)), int(params.get("pageSize", item.get("page_size", 15)))
        except (ValueError, TypeError):
            page_no, size = int(query.get("pageNo", 1)), int(query.get("pageSize", 15))
        rows = mirror.visible(item["id"])
        chunk = rows[(page_no - 1) * size: page_no * size]
        lis = "".join(f'<li><a href="{escape(e.path)}" title="{escape(e.title)}" target="_blank">{escape(e.title)}'
                      f'</a><span>[{date}]</span></li>' for e, date in chunk)
        html = f'<div class="txtList_01" count="{len(rows)}"><ul>{lis}</ul></div>'
        return self._send(200, json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False).encode(),
                          "application/json;charset=UTF-8")

    def _column(self, host: str, form: dict[str, str]) -> None:
        mirror = self.server.mirror
        item = next((i for i in mirror.lists if i["kind"] == "column" and i["host"] == host
                     and str(i.get("column")) == form.get("columnID")), None)
        rows = mirror.visible(item["id"]) if item else []
        size = item.get("page_size", 10) if item else 10
        page_no = max(1, int(form.get("pageNumber") or 1))
        chunk = rows[(page_no - 1) * size: page_no * size]
        payload = {"pageInfo": {
            "total": len(rows), "pageNumber": page_no, "maxPageNum": max(1, math.ceil(len(rows) / size)),
            "rows": [{"id": e.path.rsplit("/", 1)[-1].split(".")[0], "title": e.title, "url": e.path,
                      "publishTimeStr": f"{date} 00:00:00", "source": "商务部"} for e, date in chunk]}}
        return self._send(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")

    def _html_list(self, item: dict, page: int) -> None:
        rows = self.server.mirror.visible(item["id"])
        if "latest" in item:
            rows, pages = rows[: item["latest"]], 1
        else:
            size = item.get("page_size", 20)
            pages = max(1, math.ceil(len(rows) / size))
            rows = rows[(page - 1) * size: page * size]
        lis = "\n".join(f'<li><a href="{escape(e.path)}" title="{escape(e.title)}">{escape(e.title)}</a>'
                        f"<span>{date}</span></li>" for e, date in rows)
        base = item["index"].rsplit("/", 1)[0]
        nxt = f'<a class="next" rel="next" href="{base}/index_{page + 1}.html">下一页</a>' if page < pages else ""
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>列表</title></head><body>'
                f'<div class="header"><a href="/">首页</a></div><ul class="list">\n{lis}\n</ul>'
                f'<div class="page">{nxt}</div></body></html>')
        return self._send(200, html.encode(), "text/html; charset=utf-8")

    # -- faults (tests) ------------------------------------------------------------------------------------
    def _fault(self, entry: Entry) -> bool:
        """Misbehave as the manifest says. True when the response has been handled."""
        kind, _, arg = entry.fault.partition(":")
        hit = self.server.mirror.count_hit(entry.url)
        if kind == "status":
            self._send(int(arg), b"<html><body>error</body></html>", "text/html")
        elif kind == "flaky" and hit == 1:
            self._send(int(arg or 500), b"<html><body>busy</body></html>", "text/html")
        elif kind == "reset" or (kind == "reset-once" and hit == 1):
            self._reset()
        elif kind == "timeout":
            time.sleep(float(arg or 3))
            self._reset()
        elif kind == "slow":
            time.sleep(float(arg or 1))
            return False
        elif kind == "truncate":
            data = (self.server.mirror.root / entry.file).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(entry.path.rsplit(".", 1)[-1], "application/octet-stream"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif kind == "redirect":
            self._send(302, b"", "text/html", {"Location": arg})
        elif kind == "oversize":
            size = int(arg or 50_000_000)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()  # no Content-Length: the cap must hold on a streamed body
            chunk = b"%PDF-1.4\n" + b"0" * 65536
            sent = 0
            try:
                while sent < size:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        else:
            return False
        return True

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
        except OSError:
            pass

    def _send(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(data)


def _list_page_number(index: str, path: str) -> int:
    if path == index:
        return 1
    base = index.rsplit("/", 1)[0]
    name = path[len(base) + 1:] if path.startswith(base + "/") else ""
    if name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
        return int(name[6:-5])
    return 0


def _jpaas_shell(item: dict) -> bytes:
    """The real list page is an empty frame that JavaScript fills from the jpaas endpoint."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策发布</title></head><body>'
            f'<div id="list" data-page-id="{item["page_id"]}"></div><script src="/js/jpaas-list.js"></script>'
            f"</body></html>").encode()


def _not_modified_since(header: str | None, since: str, etag: str, headers) -> bool:
    if not header or headers.get("If-None-Match"):
        return False
    try:
        return parsedate_to_datetime(header).date().isoformat() >= since
    except (TypeError, ValueError):
        return False


class MirrorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mirror: Mirror, port: int = 0, host: str = "127.0.0.1") -> None:
        self.mirror = mirror
        super().__init__((host, port), Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> MirrorServer:
        threading.Thread(target=self.serve_forever, name="mirror", daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
