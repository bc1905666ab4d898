"""Render corpus/src/*.toml into real-shaped site files and the mirror manifest.

    python corpus/tools/build.py [--corpus DIR]

Writes corpus/sites/<host>/<path>, corpus/variants/<date>/<host>/<path> and corpus/manifest.toml.
Deterministic: the same sources give the same bytes (PDFs are written with reportlab's invariant mode).
This is a corpus-authoring tool, not part of the tracker package: tracker only ever reads what it serves.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from pdfs import render_pdf  # noqa: E402
from templates import render_page  # noqa: E402


@dataclass
class Served:
    url: str
    kind: str  # page | annex
    published: str
    title: str
    lists: list[str]
    charset: str = "utf-8"
    states: dict[str, bytes | None] = field(default_factory=dict)  # date -> bytes (None = removed)


def rel_path(url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/"):
        path += "index.html"
    return Path(parts.netloc) / path.lstrip("/")


def apply_replace(text: str, pairs: list[list[str]], where: str) -> str:
    for old, new in pairs:
        if old not in text:
            raise SystemExit(f"{where}: replace text not found: {old[:60]!r}")
        text = text.replace(old, new)
    return text


def state_at(src: dict, date: str, name: str) -> dict:
    """The document as it stood on `date`: all variants with from <= date applied in order."""
    st = copy.deepcopy(src)
    st.setdefault("removed", set())
    for v in sorted(src.get("variant", []), key=lambda v: v["from"]):
        if v["from"] > date:
            continue
        target = v["target"]
        where = f"{name} variant {v['from']} {target}"
        if target == "zh":
            if "replace" in v:
                st["doc"]["body"] = apply_replace(st["doc"]["body"], v["replace"], where)
            if v.get("removed"):
                st["removed"].update(p["url"] for p in st["page"])
        elif target.startswith("page:"):
            url = target[5:]
            page = next((p for p in st["page"] if p["url"] == url), None)
            if page is None:
                raise SystemExit(f"{where}: no page {url}")
            if v.get("removed"):
                st["removed"].add(url)
            if "replace" in v:
                page["body"] = apply_replace(page.get("body", st["doc"]["body"]), v["replace"], where)
        elif target == "en":
            if "replace" in v:
                st["en"]["body"] = apply_replace(st["en"]["body"], v["replace"], where)
                st["en"]["title"] = apply_replace_soft(st["en"]["title"], v["replace"])
            if v.get("removed"):
                st["removed"].add(st["en"]["url"])
        elif target.startswith("annex:"):
            n = int(target[6:])
            annex = next((a for a in st.get("annex", []) if a["n"] == n), None)
            if annex is None:
                raise SystemExit(f"{where}: no annex {n}")
            if "replace" in v:
                blob = json.dumps({"p": annex.get("paragraphs", []), "t": annex.get("table", [])}, ensure_ascii=False)
                blob = apply_replace(blob, [_json_pair(o, n_) for o, n_ in v["replace"]], where)
                loaded = json.loads(blob)
                annex["paragraphs"], annex["table"] = loaded["p"], loaded["t"]
            for marker in v.get("drop_rows", []):
                for table in annex.get("table", []):
                    kept = [row for row in table["rows"] if marker not in row]
                    if len(kept) == len(table["rows"]):
                        raise SystemExit(f"{where}: drop_rows found no row with a cell {marker!r}")
                    table["rows"] = kept
            if "new_url" in v:
                annex["url"] = v["new_url"]
        else:
            raise SystemExit(f"{where}: unknown target")
    return st


def _json_pair(old: str, new: str) -> list[str]:
    """Annex replacements run on the JSON of paragraphs and tables: plain text is escaped as a JSON string;
    a replacement written as JSON (it starts with ',' or '[' or holds a quote) is applied as written."""
    if old.startswith((",", "[")) or '"' in old:
        return [old, new]
    return [json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1]]


def apply_replace_soft(text: str, pairs: list[list[str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def build(corpus: Path) -> None:
    sources = sorted((corpus / "src").glob("*.toml"))
    lists = tomllib.loads((corpus / "tools" / "lists.toml").read_text("utf-8"))["list"]
    list_ids = {item["id"] for item in lists}
    served: dict[str, Served] = {}

    def serve(url: str, kind: str, published: str, title: str, lists_: list[str], date: str,
              data: bytes | None, charset: str = "utf-8") -> None:
        unknown = set(lists_) - list_ids
        if unknown:
            raise SystemExit(f"{url}: unknown list ids {sorted(unknown)}")
        entry = served.get(url)
        if entry is None:
            entry = served[url] = Served(url, kind, published, title, lists_, charset)
        entry.states[date] = data

    for path in sources:
        src = tomllib.loads(path.read_text("utf-8"))
        name = path.name
        doc = src["doc"]
        dates = sorted({doc["date"]} | {v["from"] for v in src.get("variant", [])})
        for date in dates:
            st = state_at(src, date, name)
            annex_links = [(a["n"], a["title"], a["url"]) for a in st.get("annex", [])]
            for annex in st.get("annex", []):
                serve(annex["url"], "annex", date, annex["title"], [], date, render_pdf(annex, doc))
            for page in st["page"]:
                published = max(page.get("published", doc["date"]), doc["date"])
                if date < published and date != doc["date"]:
                    continue
                removed = page["url"] in st["removed"]
                data = None if removed else render_page(page["layout"], doc | {"body": page.get("body", st["doc"]["body"])},
                                                         page["url"], annex_links, published)
                charset = "" if page["layout"] == "aqygzj-legacy" else "utf-8"
                serve(page["url"], "page", published, doc["title"], page.get("lists", []), date, data, charset)
            if "en" in st:
                en = st["en"]
                removed = en["url"] in st["removed"]
                data = None if removed else render_page("english", en | {"signature": en.get("signature", [])},
                                                         en["url"], annex_links, en.get("date", doc["date"]))
                serve(en["url"], "page", en.get("date", doc["date"]), en["title"], en.get("lists", ["en-announcements"]), date, data)

    for sub in ("sites", "variants"):
        shutil.rmtree(corpus / sub, ignore_errors=True)
    out = io.StringIO()
    out.write("# Generated by corpus/tools/build.py from corpus/src/*.toml: edit the sources, then rebuild.\n")
    out.write("# Tests may edit a copy of this file and of sites/ to check that tracker follows the documents.\n\n")
    for item in lists:
        out.write("[[list]]\n")
        for key, value in item.items():
            out.write(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")
        out.write("\n")
    hosts = set()
    for url in sorted(served):
        entry = served[url]
        hosts.add(urlsplit(url).netloc)
        states = sorted(entry.states.items())
        first_date, first = states[0]
        rp = rel_path(url)
        _write(corpus / "sites" / rp, first)
        out.write("[[doc]]\n")
        out.write(f"url = {json.dumps(url)}\nkind = {json.dumps(entry.kind)}\n")
        out.write(f"published = {json.dumps(max(entry.published, first_date))}\n")
        out.write(f"title = {json.dumps(entry.title, ensure_ascii=False)}\n")
        out.write(f"lists = {json.dumps(entry.lists)}\n")
        if entry.charset != "utf-8":
            out.write(f"charset = {json.dumps(entry.charset)}\n")
        out.write(f"file = {json.dumps(str(Path('sites') / rp))}\n")
        previous = first
        for date, data in states[1:]:
            if data == previous:
                continue
            previous = data
            out.write(f"[[doc.variant]]\nfrom = {json.dumps(date)}\n")
            if data is None:
                out.write("removed = true\n")
            else:
                vp = Path("variants") / date / rp
                _write(corpus / vp, data)
                out.write(f"file = {json.dumps(str(vp))}\n")
        out.write("\n")
    (corpus / "manifest.toml").write_text(out.getvalue(), "utf-8")
    for host in sorted(hosts):
        _write(corpus / "sites" / host / "robots.txt",
               b"User-agent: *\nDisallow: /search/\nDisallow: /api-gateway/jpaas-publish-server/front/search/\n")
    total = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"built {len(served)} URLs from {len(sources)} sources; corpus is {total / 1e6:.2f} MB", file=sys.stderr)


def _write(path: Path, data: bytes | None) -> None:
    if data is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    build(args.corpus)


if __name__ == "__main__":
    main()
