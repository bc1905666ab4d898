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


def bench_diff() -> dict:
    """Diff of two versions of a 200-clause notice, warm (model loaded), target <= 1 s on 2 cores."""
    from tracker.diff.engine import diff_versions
    from tracker.embeddings import get_embedder
    from tracker.understand import from_blocks

    numerals = "一二三四五六七八九十"
    lines = []
    for i in range(1, 41):
        top = numerals[(i - 1) // 10 - 1] + "十" if i > 10 else ""
        top = (top + numerals[(i - 1) % 10]) if i % 10 else (numerals[i // 10 - 1] + "十" if i > 10 else "十")
        lines.append((f"{top}、", f"第{i}类相关物项的出口管制要求，出口经营者应当办理许可手续。"))
        for j in range(1, 5):
            lines.append((f"（{numerals[j - 1]}）", f"物项{i}-{j}：纯度不低于99.{j}%的金属及合金（参考海关商品编号：28053019{i:02d}）。"))
    old = from_blocks("bench", lines, 1)
    new_lines = list(lines)
    new_lines[10] = (new_lines[10][0], new_lines[10][1].replace("99.", "99.9"))  # a threshold edit
    new_lines.insert(50, ("（五）", "新增物项：含镝的钕铁硼永磁材料。"))  # an insertion
    del new_lines[120]  # a removal
    new_lines[150] = (new_lines[150][0], "Export operators must obtain a licence before exporting these items.")
    new = from_blocks("bench", new_lines, 2)
    embedder = get_embedder("minilm")
    t0 = time.perf_counter()
    embedder.encode(["warm up"])
    cold = time.perf_counter() - t0
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        changes = diff_versions(old, new, embedder).changes
        runs.append(time.perf_counter() - t)
    return {"clauses": len(old.clauses), "changes": len(changes), "model_load_s": round(cold, 2),
            "warm_diff_s_median": round(sorted(runs)[2], 4), "warm_diff_s_max": round(max(runs), 4),
            "target_s": 1.0}


def bench_status() -> dict:
    """The state of every provision on every date of the mirror's timeline."""
    from tracker.mirror.walk import walk
    from tracker.regime import Regime
    from tracker.understand import understand_all

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"home": Path(tmp)})
        walk(settings, default_corpus())
        with Store(settings.home) as store:
            t0 = time.perf_counter()
            regime = Regime(understand_all(store))
            t1 = time.perf_counter()
            days = regime.change_days()
            rows = sum(len(regime.snapshot(day)) for day in days)
            t2 = time.perf_counter()
    return {"notices": len(regime.structures), "dates": len(days), "provision_states": rows,
            "structure_all_s": round(t1 - t0, 3), "status_all_dates_s": round(t2 - t1, 3),
            "ms_per_date": round((t2 - t1) * 1000 / max(len(days), 1), 2)}


def bench_diff_eval() -> dict:
    from evals.diffs.score import evaluate

    result = evaluate("minilm")
    return {"cases": result["cases"], "micro": result["micro"], "rank_accuracy": result["rank_accuracy"]}


def bench_ask() -> dict:
    """Warm answers (retrieval + offline answer) over the question suite, cold start, index build vs embedding."""
    import subprocess
    import sys as _sys

    from tracker.answer.ask import Asker
    from tracker.embeddings import get_embedder
    from tracker.evaluation import load_suite
    from tracker.index.build import build_index
    from tracker.index.chunks import chunks_of
    from tracker.mirror.walk import walk
    from tracker.understand import understand

    out = {}
    suite = load_suite(Path(__file__).resolve().parents[1] / "evals" / "questions.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        for model in ("e5", "minilm"):
            settings = load_settings({"home": Path(tmp) / model, "embedder": model})
            walk(settings, default_corpus())
            with Store(settings.home) as store:
                embedder = get_embedder(model)
                embedder.encode(["warm up"])
                texts = []
                for notice in store.notices():
                    for lang in notice["languages"]:
                        texts += [c.text for c in chunks_of(understand(store, notice["id"], lang),
                                                            lang == "zh" or "zh" not in notice["languages"])]
                t0 = time.perf_counter()
                embedder.encode(texts)
                pure = time.perf_counter() - t0
                stats = build_index(store, embedder)
                asker = Asker(settings, store)
                asker.ask("warm up")
                times = []
                for q in suite:
                    t = time.perf_counter()
                    asker.ask(q["question"], q.get("as_of"))
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
            t0 = time.perf_counter()
            subprocess.run([_sys.executable, "-m", "tracker.cli", "--home", str(settings.home), "ask",
                            "镝的管制编码是什么？", "--json"], capture_output=True, check=True,
                           env={**__import__("os").environ, "TRACKER_EMBEDDER": model})
            cold = time.perf_counter() - t0
            out[model] = {"chunks": stats.chunks, "index_build_s": round(stats.seconds, 2),
                          "pure_embedding_s": round(pure, 2),
                          "build_over_embedding": round(stats.seconds / pure, 3) if pure else None,
                          "warm_answer_ms_p50": round(times[len(times) // 2], 1),
                          "warm_answer_ms_p95": round(times[int(len(times) * 0.95) - 1], 1),
                          "cold_start_cli_s": round(cold, 2), "target_warm_p95_ms": 150}
    return out


def bench_ask_eval() -> dict:
    from tracker.evaluation import evaluate
    from tracker.mirror.walk import walk

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in ("e5", "minilm"):
            settings = load_settings({"home": Path(tmp) / model, "embedder": model})
            walk(settings, default_corpus())
            result = evaluate(settings, Path(__file__).resolve().parents[1] / "evals" / "questions.jsonl")
            out[model] = {"tracker": result["tracker"], "baseline": result["baseline"]}
    return out


def synthetic_catalogue(path: Path, n: int = 10_000) -> int:
    """n products made from the sample catalogue: other SKUs, names, destinations and shares; descriptions are
    shared within a product family, as in real catalogues. Returns the number of distinct descriptions."""
    import csv

    sample = list(csv.DictReader((Path(__file__).resolve().parents[1] / "examples" / "catalogue.csv").open()))
    destinations = ["DE", "US", "JP", "KR", "VN", "MX", "FR", "IN"]
    rows = []
    for i in range(n):
        base = dict(sample[i % len(sample)])
        family = i // len(sample) % 10  # ten variants of each description
        base["sku"] = f"{base['sku']}-{i:05d}"
        base["name"] = f"{base['name']} variant {i}"
        base["description"] = f"{base['description']} (series {family})"
        base["destination"] = destinations[i % len(destinations)]
        rows.append(base)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(sample[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len({r["description"] for r in rows})


def bench_impact() -> dict:
    """10,000 products screened on one date (target <= 30 s on 2 cores), without and with semantic candidates."""
    from tracker.embeddings import get_embedder
    from tracker.impact import load_catalogue, screen, screener_for
    from tracker.index.build import build_index
    from tracker.mirror.walk import walk

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"home": Path(tmp) / "h", "embedder": "minilm"})
        walk(settings, default_corpus())
        catalogue = Path(tmp) / "catalogue.csv"
        distinct = synthetic_catalogue(catalogue)
        t0 = time.perf_counter()
        products, errors = load_catalogue(catalogue)
        load_s = time.perf_counter() - t0
        with Store(settings.home) as store:
            t0 = time.perf_counter()
            result = screen(store, products, "2025-12-15")
            plain = time.perf_counter() - t0
            embedder = get_embedder("minilm")
            build_index(store, embedder)
            t0 = time.perf_counter()
            screener = screener_for(store, embedder)
            with_semantic = screen(store, products, "2025-12-15", screener=screener)
            semantic = time.perf_counter() - t0
        out = {"products": len(products), "distinct_descriptions": distinct, "load_s": round(load_s, 2),
               "screen_s": round(plain, 2), "screen_with_semantic_minilm_s": round(semantic, 2),
               "products_per_s": round(len(products) / plain), "target_s": 30,
               "counts": result["counts"], "counts_with_semantic": with_semantic["counts"]}
    return out


BENCHES = {"crawl": bench_crawl, "parse": bench_parse, "diff": bench_diff, "status": bench_status,
           "diff_eval": bench_diff_eval, "ask": bench_ask, "ask_eval": bench_ask_eval,
           "impact": bench_impact}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    args = parser.parse_args()
    results = {}
    if args.only and args.out.exists():  # a partial run updates the other benches' numbers in place
        results = json.loads(args.out.read_text())
    results.update({"when": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
                    "machine": platform.machine()})
    for name in args.only or BENCHES:
        print(f"bench {name} ...", file=sys.stderr)
        results[name] = BENCHES[name]()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
