"""`make bench`: measurements as ratios within one run (the machine is shared and noisy). Writes JSON.

    python -m bench.run [--out bench/results.json] [--only crawl]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tracker.config import default_corpus, load_settings
from tracker.crawl import Crawler
from tracker.mirror.server import Mirror, MirrorServer
from tracker.store.repository import Store


def bench_crawl() -> dict:
    """Full crawl of the mirror as it stands today, then a second crawl with nothing changed."""
    mirror = Mirror(default_corpus(), datetime.now(UTC).date().isoformat())
    server = MirrorServer(mirror).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings({"home": Path(tmp), "mirror": server.base_url})
            with Store(settings.home) as store:
                crawler = Crawler(settings, store)
                t0 = time.perf_counter()
                first = crawler.run()
                t1 = time.perf_counter()
                second = crawler.run()
                t2 = time.perf_counter()
                crawler.close()
                counts = store.counts()
    finally:
        server.stop()
    full, again = t1 - t0, t2 - t1
    return {
        "full_crawl_s": round(full, 3),
        "second_crawl_s": round(again, 3),
        "second_over_first": round(again / full, 4),
        "target_second_over_first": 0.10,
        "first": {"fetched": first.fetched, "parsed_pages": first.parsed_pages,
                  "parsed_annex_pages": first.parsed_annex_pages, "failed": len(first.failed)},
        "second": {"fetched": second.fetched, "parsed_pages": second.parsed_pages,
                   "parsed_annex_pages": second.parsed_annex_pages, "new": len(second.new),
                   "changed": len(second.changed)},
        "pages_and_annex_pages_parsed_per_s": round((first.parsed_pages + first.parsed_annex_pages) / full, 1),
        "store": counts,
    }


def bench_parse() -> dict:
    """Parse speed alone, from the mirror's files (no HTTP): HTML pages/s and PDF pages/s."""
    from tracker.fetch.charset import decode_html
    from tracker.parse.mofcom import parse_page
    from tracker.parse.pdf import parse_pdf

    root = default_corpus()
    manifest = Mirror(root, "9999-12-31")
    pages = [(e.url, root / e.file) for e in manifest.entries.values() if e.kind == "page"]
    pdfs = [(e.url, root / e.file) for e in manifest.entries.values() if e.file.endswith(".pdf")]
    t0 = time.perf_counter()
    for url, path in pages:
        text, _ = decode_html(path.read_bytes(), "", url)
        parse_page(url, text)
    t1 = time.perf_counter()
    pdf_pages = sum(len(parse_pdf(url, path.read_bytes()).pages) for url, path in pdfs)
    t2 = time.perf_counter()
    return {"html_pages": len(pages), "html_pages_per_s": round(len(pages) / (t1 - t0), 1),
            "pdf_files": len(pdfs), "pdf_pages": pdf_pages, "pdf_pages_per_s": round(pdf_pages / (t2 - t1), 1)}


BENCHES = {"crawl": bench_crawl, "parse": bench_parse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    args = parser.parse_args()
    results = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
               "machine": platform.machine()}
    for name in args.only or BENCHES:
        print(f"bench {name} ...", file=sys.stderr)
        results[name] = BENCHES[name]()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
