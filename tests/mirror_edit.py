"""Edit a copy of the mirror: add pages and annexes (optionally misbehaving), make broken PDFs."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit


def hex_id(seed: str) -> str:
    return hashlib.md5(seed.encode()).hexdigest()  # noqa: S324 - an id, not security


def add_doc(root: Path, url: str, data: bytes | None, *, published: str, title: str = "", lists=(),
            kind: str = "page", fault: str = "", charset: str | None = None) -> None:
    """Serve `data` at `url` from `published` on; `fault` makes the server misbehave (see mirror/server.py)."""
    rel = Path("sites") / urlsplit(url).hostname / urlsplit(url).path.lstrip("/")
    if data is not None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    lines = ["", "[[doc]]", f"url = {json.dumps(url)}", f"kind = {json.dumps(kind)}",
             f"published = {json.dumps(published)}", f"title = {json.dumps(title, ensure_ascii=False)}",
             f"lists = {json.dumps(list(lists))}", f"file = {json.dumps(str(rel))}"]
    if fault:
        lines.append(f"fault = {json.dumps(fault)}")
    if charset is not None:
        lines.append(f"charset = {json.dumps(charset)}")
    with open(root / "manifest.toml", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def set_fault(root: Path, url: str, fault: str) -> None:
    """Make an existing manifest entry misbehave."""
    path = root / "manifest.toml"
    text = path.read_text("utf-8")
    line = f"url = {json.dumps(url)}\n"
    assert line in text, url
    path.write_text(text.replace(line, line + f"fault = {json.dumps(fault)}\n", 1), "utf-8")


def notice_page(number: str, title: str, issued_cn: str, body: list[str], annexes: list[tuple[str, str]] = (),
                *, fields: bool = True, charset_meta: str = "utf-8") -> str:
    """A www-shaped article page (the modern CMS layout)."""
    gonggao = (f'<div class="art-con-gonggao"><p>【发布单位】安全与管制局</p><p>【发布文号】{number}</p>'
               f"<p>【发文日期】{issued_cn}</p></div>") if fields else ""
    paras = "\n".join(f'<p style="text-indent:2em;">{line}</p>' for line in body)
    links = "\n".join(f'<p><a href="{href}">{name}</a></p>' for href, name in annexes)
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"""<!DOCTYPE html><html lang="zh-CN"><head>{meta}<title>{title}</title>
<meta name="ArticleTitle" content="{title}"></head><body>
<div class="crumbs">首页 &gt; 政务公开 &gt; 政策发布</div>
<div class="art-title"><h1>{title}</h1><div class="art-info"><span>来源：安全与管制局</span></div></div>
<div ergodic="article" class="art-con">{gonggao}
{paras}
<p style="text-align:right;">商务部</p>
{('<p>附件：</p>' + links) if annexes else ''}
</div></body></html>"""


def pdf_with_table(rows: list[list[str]], *, encrypt: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    c.setFont("STSong-Light", 10)
    y = 780
    for row in rows:
        c.drawString(60, y, "  ".join(row))
        y -= 16
    c.save()
    return buf.getvalue()


def pdf_without_text() -> bytes:
    """A 'scanned' annex: drawings only, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(20):
        c.rect(50, 750 - i * 30, 400, 20, fill=i % 2)
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf_cid_garbage() -> bytes:
    """Text drawn with a CID font whose encoding gives no Unicode: pdfminer prints (cid:N)."""
    data = pdf_with_table([["钐金属", "2805301910"], ["氧化镝", "2846901940"]] * 5)
    # Same length, so the xref offsets stay valid: an unknown CID ordering has no Unicode map.
    return data.replace(b"(GB1)", b"(XX1)")


def set_field(root: Path, url: str, key: str, value: str) -> None:
    """Change one field of the manifest entry of `url` (e.g. its publication date)."""
    path = root / "manifest.toml"
    text = path.read_text("utf-8")
    start = text.index(f"url = {json.dumps(url)}\n")
    end = text.find("[[doc", start + 1)
    end = len(text) if end < 0 else end
    block = text[start:end]
    new_block, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", block, count=1)
    assert n == 1, (url, key)
    path.write_text(text[:start] + new_block + text[end:], "utf-8")


def edit_page(root: Path, url: str, old: str, new: str) -> None:
    """Replace text in the served file of `url` and in all its dated variants."""
    rel = Path(urlsplit(url).hostname) / urlsplit(url).path.lstrip("/")
    files = [root / "sites" / rel] + list((root / "variants").glob(f"*/{rel}"))
    hits = 0
    for f in files:
        if f.exists():
            text = f.read_text("utf-8")
            hits += text.count(old)
            f.write_text(text.replace(old, new), "utf-8")
    assert hits, (url, old)


def edit_notice(root: Path, old: str, new: str, hosts: tuple[str, ...] = ("www.", "aqygzj.", "exportcontrol.")) -> int:
    """Replace text in every served copy (all hosts, all variants) of the pages that contain it."""
    hits = 0
    for f in list((root / "sites").rglob("*.htm*")) + list((root / "variants").rglob("*.htm*")):
        rel = f.relative_to(root).parts
        host = rel[1] if rel[0] == "sites" else rel[2]
        if not host.startswith(hosts):
            continue
        try:
            text = f.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        if old in text:
            hits += text.count(old)
            f.write_text(text.replace(old, new), "utf-8")
    assert hits, old
    return hits
