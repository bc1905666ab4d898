"""Golden parses of real-shaped notices of the mirror: the parsers against hand-reviewed expectations.

Each tests/golden/<name>.json names one URL of corpus/manifest.toml and states what the parse of the file the
mirror serves for it SHOULD be, reviewed by hand against corpus/src/*.toml and the rendered HTML/PDF; it is
not a snapshot of whatever the code outputs. Bytes are read from corpus/sites/<host>/<path> (never over HTTP:
other tests cover HTTP) with the content type the mirror would send.

Golden file shape, pages:
    {"url": ..., "kind": "page", "covers": ["what this case is here for", ...],
     "expected": {"lang", "layout", "title",
                  "number": {"id", "text", "issuers", "year", "seq", "form", "date"},
                  "unit", "issued", "published", "source", "doc_type",
                  "blocks": [[marker, text, kind], ...],
                  "annexes": [[url, title, ext], ...]},
     "known_bugs": {"<check>": "<what the parser gets wrong>"}}
PDF annexes:
    {"url": ..., "kind": "annex", "covers": [...],
     "expected": {"ext", "page_count",
                  "tables": [{"page", "row_count", "rows": [[cell, ...], ...]}
                             or {"page", "row_count", "head": [first rows], "tail": [last rows]}],
                  "text_contains": ["a line the page text must hold", ...]},
     "known_bugs": {...}}

One test per (golden file, check). The checks are the fields above, except that blocks and annexes are split
so that one known bug does not hide the rest: "blocks" (marker and text of every block), "block_kinds"
(para/signature), "annexes" (url and ext of every link), "annex_titles". A check named in "known_bugs" is a
strict xfail with that reason: it turns into a failure as soon as the parser is fixed, so the entry is removed
then.

Review helper (never writes golden files):
    .venv/bin/python tests/test_golden.py --regen NAME     # NAME: a golden file stem, or a URL of the manifest
prints the current parse in the golden shape (plus the PDF page text, for review) to compare by hand.
"""

from __future__ import annotations

import json
import sys
import tomllib
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"

if __name__ == "__main__" and str(ROOT) not in sys.path:  # script mode: python tests/test_golden.py --regen
    sys.path.insert(0, str(ROOT))

PAGE_FIELDS = ("lang", "layout", "title", "number", "unit", "issued", "published", "source", "doc_type",
               "blocks", "annexes")
PAGE_CHECKS = ("lang", "layout", "title", "number", "unit", "issued", "published", "source", "doc_type",
               "blocks", "block_kinds", "annexes", "annex_titles")
ANNEX_FIELDS = ("ext", "page_count", "tables", "text_contains")
ANNEX_CHECKS = ANNEX_FIELDS


# --- input: the served bytes -------------------------------------------------------------------------------

@cache
def manifest() -> dict[str, dict]:
    data = tomllib.loads((CORPUS / "manifest.toml").read_text("utf-8"))
    return {doc["url"]: doc for doc in data.get("doc", [])}


def served(url: str) -> tuple[bytes, str]:
    """(bytes, content type) of a URL as first published: its file under corpus/sites/<host>/ (as the manifest
    names it: /cms_files/oldfile//fms/... is served from sites/<host>/cms_files/oldfile/fms/...), typed as the
    mirror types it."""
    entry = manifest().get(url)
    if entry is None:
        raise LookupError(f"{url} is not listed in corpus/manifest.toml")
    host = urlsplit(url).hostname
    if not entry["file"].startswith(f"sites/{host}/"):  # the first-published file, not a dated variant
        raise LookupError(f"manifest serves {url} from {entry['file']}, not from under sites/{host}/")
    content = (CORPUS / entry["file"]).read_bytes()
    if entry.get("kind", "page") == "annex":
        return content, "application/pdf"
    # tracker/mirror/server.py: text/html plus the manifest's charset (default utf-8; "" = no charset at all)
    charset = entry.get("charset", "utf-8")
    return content, "text/html" + (f"; charset={charset}" if charset else "")


@cache
def parse(url: str, kind: str):
    content, content_type = served(url)
    if kind == "annex":
        from tracker.parse.pdf import parse_pdf

        return parse_pdf(url, content)
    from tracker.fetch.charset import decode_html
    from tracker.parse.mofcom import parse_page

    text, _ = decode_html(content, content_type, url)
    return parse_page(url, text)


# --- the parse in the golden shape -------------------------------------------------------------------------

def page_view(parsed) -> dict:
    number = parsed.number
    return {
        "lang": parsed.lang,
        "layout": parsed.layout,
        "title": parsed.title,
        "number": None if number is None else {
            "id": number.id, "text": number.text, "issuers": list(number.issuers), "year": number.year,
            "seq": number.seq, "form": number.form, "date": number.date,
        },
        "unit": parsed.unit,
        "issued": parsed.issued,
        "published": parsed.published,
        "source": parsed.source,
        "doc_type": parsed.doc_type,
        "blocks": [[b.marker, b.text, b.kind] for b in parsed.blocks],
        "annexes": [[a.url, a.title, a.ext] for a in parsed.annexes],
    }


def page_text(parsed) -> str:
    return "\n".join(p.text for p in parsed.pages)


def annex_view(parsed, text_contains=()) -> dict:
    tables = []
    for table in parsed.tables:
        rows = [list(r) for r in table.rows]
        entry = {"page": table.page, "row_count": len(rows)}
        if len(rows) <= 25:
            entry["rows"] = rows
        else:
            entry["head"], entry["tail"] = rows[:3], rows[-3:]
        tables.append(entry)
    text = page_text(parsed)
    return {"ext": parsed.ext, "page_count": len(parsed.pages), "tables": tables,
            "text_contains": [s for s in text_contains if s in text]}


# --- checks: [] when right, else one readable line per difference ------------------------------------------

def _j(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _listwise(what: str, expected: list, actual: list, columns: str) -> list[str]:
    out = [f"{what}: expected {len(expected)}, parsed {len(actual)}"] if len(expected) != len(actual) else []
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else "(none)"
        a = actual[i] if i < len(actual) else "(none)"
        if e != a:
            out.append(f"{what}[{i}] {columns}\n      expected {_j(e)}\n      parsed   {_j(a)}")
    return out


def check_page(check: str, expected: dict, parsed) -> list[str]:
    actual = page_view(parsed)
    if check == "blocks":
        return _listwise("blocks", [b[:2] for b in expected["blocks"]], [b[:2] for b in actual["blocks"]],
                         "[marker, text]")
    if check == "block_kinds":
        want = [[b[1], b[2]] for b in expected["blocks"]]
        got = [[b[1], b[2]] for b in actual["blocks"]]
        return _listwise("blocks", want, got, "[text, kind]")
    if check == "annexes":
        return _listwise("annexes", [[a[0], a[2]] for a in expected["annexes"]],
                         [[a[0], a[2]] for a in actual["annexes"]], "[url, ext]")
    if check == "annex_titles":
        return _listwise("annexes", [[a[0], a[1]] for a in expected["annexes"]],
                         [[a[0], a[1]] for a in actual["annexes"]], "[url, title]")
    if check == "number" and isinstance(expected["number"], dict) and isinstance(actual["number"], dict):
        return [f"number.{k}: expected {_j(v)}, parsed {_j(actual['number'].get(k))}"
                for k, v in expected["number"].items() if actual["number"].get(k) != v]
    if expected[check] != actual[check]:
        return [f"{check}: expected {_j(expected[check])}, parsed {_j(actual[check])}"]
    return []


def check_annex(check: str, expected: dict, parsed) -> list[str]:
    if check == "ext":
        return [] if parsed.ext == expected["ext"] else [f"ext: expected {_j(expected['ext'])}, parsed {_j(parsed.ext)}"]
    if check == "page_count":
        n = len(parsed.pages)
        return [] if n == expected["page_count"] else [f"page_count: expected {expected['page_count']}, parsed {n}"]
    if check == "text_contains":
        text = page_text(parsed)
        return [f"the PDF text lacks {_j(s)}" for s in expected["text_contains"] if s not in text]
    # tables: count, then per table its page, row count and rows (all rows, or the first and last ones kept)
    want, got = expected["tables"], parsed.tables
    out = []
    if len(want) != len(got):
        out.append(f"tables: expected {len(want)}, parsed {len(got)} (on pages {[t.page for t in got]})")
    for t, (w, g) in enumerate(zip(want, got, strict=False)):
        rows = [list(r) for r in g.rows]
        if w["page"] != g.page:
            out.append(f"tables[{t}].page: expected {w['page']}, parsed {g.page}")
        if w["row_count"] != len(rows):
            out.append(f"tables[{t}].row_count: expected {w['row_count']}, parsed {len(rows)}")
        if "rows" in w:
            pairs = list(enumerate(w["rows"]))
        else:
            first = len(rows) - len(w["tail"])
            pairs = list(enumerate(w["head"])) + [(first + i, r) for i, r in enumerate(w["tail"])]
        for i, row in pairs:
            parsed_row = rows[i] if 0 <= i < len(rows) else "(none)"
            if parsed_row != row:
                out.append(f"tables[{t}].rows[{i}]\n      expected {_j(row)}\n      parsed   {_j(parsed_row)}")
    return out


def check(golden: dict, name: str) -> list[str]:
    parsed = parse(golden["url"], golden["kind"])
    if golden["kind"] == "page":
        return check_page(name, golden["expected"], parsed)
    return check_annex(name, golden["expected"], parsed)


# --- the golden files --------------------------------------------------------------------------------------

def golden_files() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def problems_of(path: Path, golden: dict) -> list[str]:
    """What is wrong with the golden file itself (shape, URL, known_bugs names)."""
    kind = golden.get("kind")
    if kind not in ("page", "annex"):
        return [f"{path.name}: kind must be 'page' or 'annex', not {kind!r}"]
    out = []
    if golden.get("url") not in manifest():
        out.append(f"{path.name}: {golden.get('url')} is not a URL of corpus/manifest.toml")
    fields = PAGE_FIELDS if kind == "page" else ANNEX_FIELDS
    if set(golden.get("expected", {})) != set(fields):
        out.append(f"{path.name}: expected must hold exactly {list(fields)}")
    checks = PAGE_CHECKS if kind == "page" else ANNEX_CHECKS
    unknown = set(golden.get("known_bugs", {})) - set(checks)
    if unknown:
        out.append(f"{path.name}: known_bugs names unknown checks {sorted(unknown)}; checks are {list(checks)}")
    return out


try:
    import pytest
except ImportError:  # script mode without pytest installed
    pytest = None

if pytest is not None:
    def _cases():
        cases = []
        for path in golden_files():
            golden = load(path)
            checks = PAGE_CHECKS if golden.get("kind") == "page" else ANNEX_CHECKS
            bugs = golden.get("known_bugs", {})
            for name in checks:
                marks = [pytest.mark.xfail(strict=True, reason=bugs[name])] if name in bugs else []
                cases.append(pytest.param(path.stem, name, marks=marks, id=f"{path.stem}:{name}"))
        return cases

    def test_golden_files_are_well_formed():
        paths = golden_files()
        assert len(paths) >= 6, f"expected at least 6 golden files in {GOLDEN}, found {len(paths)}"
        problems = [p for path in paths for p in problems_of(path, load(path))]
        assert not problems, "\n".join(problems)

    @pytest.mark.parametrize(("stem", "name"), _cases())
    def test_golden(stem: str, name: str):
        golden = load(GOLDEN / f"{stem}.json")
        assert not problems_of(GOLDEN / f"{stem}.json", golden), "malformed golden file (see the test above)"
        problems = check(golden, name)
        assert not problems, f"{stem}.json ({golden['url']}), check {name!r}:\n  " + "\n  ".join(problems)

    # Numbering forms that no page of the mirror prints at the start of a paragraph (no （1）, (1), a. or (a)
    # paragraph in corpus/sites when these goldens were written), so no golden page can cover them: checked
    # here on the function that splits every block of every page.
    @pytest.mark.parametrize(("line", "marker", "text"), [
        ("（1）出口经营者应当……", "（1）", "出口经营者应当……"),
        ("a. 钐金属；钐合金", "a.", "钐金属；钐合金"),
        ("(1) Items listed in Part 2", "(1)", "Items listed in Part 2"),
        ("(a) samarium metal", "(a)", "samarium metal"),
        ("1.5%及以上的", "", "1.5%及以上的"),
        ("2025年10月9日", "", "2025年10月9日"),
        ("1C902.a 钐金属", "", "1C902.a 钐金属"),
    ])
    def test_numbering_markers_absent_from_the_mirror(line: str, marker: str, text: str):
        from tracker.parse.html import blocks_from

        (block,) = blocks_from([line])
        assert [block.marker, block.text, block.kind] == [marker, text, "para"]


# --- script mode -------------------------------------------------------------------------------------------

def dumps_golden(value, indent: int = 0, nested: bool = False) -> str:
    """JSON for review: one key a line; a list of scalars inside a list (a block, a row, a link) on one line,
    a long list of strings that is a field's value (covers, text_contains) one item a line."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps_golden(v, indent + 2)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and (any(isinstance(v, (list, dict)) for v in value) or nested is False
                                    and len(json.dumps(value, ensure_ascii=False)) > 60):
        return "[\n" + ",\n".join(inner + dumps_golden(v, indent + 2, True) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def regen(name: str) -> dict:
    path = GOLDEN / f"{name}.json"
    if path.exists():
        golden = load(path)
        url, kind, contains = golden["url"], golden["kind"], golden["expected"].get("text_contains", [])
    elif name in manifest():
        url, kind, contains = name, manifest()[name].get("kind", "page"), []
    else:
        raise SystemExit(f"{name}: neither a golden file in {GOLDEN} nor a URL of corpus/manifest.toml")
    parsed = parse(url, kind)
    out = {"url": url, "kind": kind}
    if kind == "page":
        out["expected"] = page_view(parsed)
    else:
        out["expected"] = annex_view(parsed, contains)
        out["page_text (review only)"] = [p.text for p in parsed.pages]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "--regen":
        print("usage: python tests/test_golden.py --regen NAME|URL\n"
              "prints the current parse in the golden shape for review; never writes a golden file",
              file=sys.stderr)
        return 2
    print(dumps_golden(regen(argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
