"""tracker's command line: one command = one library call. Data to stdout (tables, or JSON with --json),
status and progress to stderr. A TrackerError becomes one line naming the input and exit code 1."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from tracker import __version__
from tracker.errors import TrackerError

EPILOG = """\
Quick start (on the bundled mirror of the MOFCOM sites):
  tracker demo                          walk the mirror's clock through the timeline, crawling after each step
  tracker corpus serve --port 8765      serve the mirror; then, in another shell:
  tracker crawl --mirror http://127.0.0.1:8765
  tracker notices                       what the store holds
  tracker show mofcom-gacc-2025-18      one notice: numbers, URLs, versions, annexes

Against the real sites (polite: robots.txt, >= 1 s between requests per host):
  tracker crawl

Settings come from defaults < tracker.toml < TRACKER_* environment < flags; see `tracker config`.
Data lives in TRACKER_HOME (default: your per-user data directory).
"""


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="tracker", description="Track China's export-control announcements "
                                "(MOFCOM / GACC): ingest, version, and explain them.", epilog=EPILOG, formatter_class=fmt)
    p.add_argument("--version", action="version", version=f"tracker {__version__}")
    p.add_argument("--home", type=Path, help="data directory (store, blobs); env TRACKER_HOME")
    p.add_argument("--config", type=Path, help="settings file (default ./tracker.toml or TRACKER_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)  # --home / --config also work after the command
    common.add_argument("--home", type=Path, default=argparse.SUPPRESS, help="data directory (env TRACKER_HOME)")
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="settings file")
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # type: ignore[method-assign]

    c = sub.add_parser("crawl", help="discover, fetch, parse and store new or changed notices",
                       formatter_class=fmt, description="Discover notices through the sites' list mechanisms, "
                       "fetch pages and annexes (conditional GET), parse them and store new versions.\n\n"
                       "Exit code 0 when every URL was processed, 1 when some failed (each failure is one line "
                       "naming the URL; the rest of the crawl completes).",
                       epilog="Examples:\n  tracker crawl\n  tracker crawl --mirror http://127.0.0.1:8765 --json")
    c.add_argument("--mirror", help="map every real host onto this mirror base URL (e.g. tracker corpus serve)")
    c.add_argument("--sources", type=Path, help="sources file (default: the real MOFCOM sites)")
    c.add_argument("--json", action="store_true", help="print the crawl summary as JSON")

    im = sub.add_parser("impact", help="screen a product catalogue against the controls in force",
                        formatter_class=fmt, description="Screen each product of a catalogue (CSV, YAML or JSON; "
                        "columns sku, name, description, hs_code, materials, made_in, uses_chinese_technology, "
                        "destination, end_use, end_user; see README) against the notices in the store, on a date.\n\n"
                        "Verdicts: licence_likely (a provision in force applies), review (something in force touches "
                        "it but does not settle it), not_affected (nothing in force applies; suspended or "
                        "not-yet-effective matches are listed with their dates), insufficient_data (names the "
                        "missing fields). Every reason cites notice and clause. Indicative screening, not legal "
                        "advice.\n\nmaterials: 'material:share:origin' separated by ';' (Dy:0.8%:CN; Nd:30%:AU); "
                        "leave a part empty when unknown (Dy::CN). next_change: the next day the verdict moves "
                        "as the documents published by the as-of date fix it.\n\nA bad row is reported (row "
                        "number and field) and skipped; the others are screened; exit code 1 when any row was "
                        "skipped, else 0.",
                        epilog="Examples:\n  tracker impact examples/catalogue.csv --as-of 2025-12-15\n"
                        "  tracker impact examples/catalogue.csv --since 2025-10-01 --until 2026-03-01\n"
                        "  tracker impact catalogue.yaml --json | jq '.products[] | select(.verdict==\"review\")'")
    im.add_argument("catalogue", type=Path, help="the product catalogue (.csv, .yaml/.yml or .json)")
    im.add_argument("--as-of", help="screen on this date (YYYY-MM-DD; default today)")
    im.add_argument("--since", help="list verdict changes from this date ...")
    im.add_argument("--until", help="... to this date (default today)")
    im.add_argument("--no-semantic", action="store_true",
                    help="skip semantic candidates (descriptions matched by meaning through the search index)")
    im.add_argument("--json", action="store_true", help="print the result as JSON")

    n = sub.add_parser("notices", help="list stored notices", formatter_class=fmt,
                       description="List every stored notice: id, number, title, issuers, issued date, URLs, "
                       "versions per language.", epilog="Example:\n  tracker notices --json | jq '.[].id'")
    n.add_argument("--kind", choices=["notice", "interpretation"], help="only this kind of document")
    n.add_argument("--json", action="store_true")

    s = sub.add_parser("show", help="one notice in full", formatter_class=fmt,
                       description="A notice: its number, titles, URLs on every host, every version with its "
                       "annexes, and the text of the latest (or chosen) version.",
                       epilog="Example:\n  tracker show mofcom-gacc-2025-18 --lang en")
    s.add_argument("id", help="notice id, e.g. mofcom-gacc-2025-18 (see `tracker notices`)")
    s.add_argument("--lang", choices=["zh", "en"], help="language of the text shown (default: Chinese where there is one)")
    s.add_argument("--version", type=int, dest="seq", help="version number (default: latest)")
    s.add_argument("--json", action="store_true")

    st = sub.add_parser("status", help="the state of every provision on a date", formatter_class=fmt,
                        description="Each provision with its status on the date (in_force, not_yet_effective, "
                        "suspended, repealed, expired), since and until when, and the notices that decide it. "
                        "Computed from the stored documents only; documents issued after the date are ignored. "
                        "A boundary day the text leaves open is flagged ambiguous.",
                        epilog="Examples:\n  tracker status --as-of 2025-10-20\n"
                        "  tracker status --as-of 2025-12-15 --element Dy --json\n"
                        "  tracker status --notice mofcom-2025-61")
    st.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
    st.add_argument("--notice", help="only this notice id")
    st.add_argument("--element", help="only notices that name this element or material (Dy, 镝, dysprosium)")
    st.add_argument("--json", action="store_true")

    df = sub.add_parser("diff", help="what changed between two versions of a notice", formatter_class=fmt,
                        description="Align the clauses of two versions by stable label, then pair the leftovers by "
                        "meaning (moved, renumbered, reworded); a CJK-aware token diff inside modified clauses; each "
                        "change typed, ranked (substantive / cosmetic) and explained in English and Chinese with a "
                        "citation.", epilog="Examples:\n  tracker diff mofcom-gacc-2025-18\n"
                        "  tracker diff mofcom-gacc-2025-10 --from 1 --to 2 --json")
    df.add_argument("id", help="notice id (see `tracker notices`)")
    df.add_argument("--from", dest="v_from", type=int, help="older version (default: the one before --to)")
    df.add_argument("--to", dest="v_to", type=int, help="newer version (default: the latest)")
    df.add_argument("--lang", default="zh", choices=["zh", "en"])
    df.add_argument("--all", action="store_true", help="also list cosmetic changes")
    df.add_argument("--json", action="store_true")

    cp = sub.add_parser("compare", help="one notice against another: items, elements, codes", formatter_class=fmt,
                        description="Compare the control items of two notices: elements and codes only in one, "
                        "items added, removed or changed, the style of reference customs numbers, effective dates.",
                        epilog="Examples:\n  tracker compare mofcom-gacc-2025-18 mofcom-gacc-2025-57\n"
                        "  tracker compare mofcom-gacc-2024-33 mofcom-gacc-2025-55 --json")
    cp.add_argument("a", help="notice id")
    cp.add_argument("b", help="notice id")
    cp.add_argument("--json", action="store_true")

    ch = sub.add_parser("changes", help="the regime between two dates", formatter_class=fmt,
                        description="Notices published, new versions seen, items added or removed, and provisions "
                        "that entered into force, were suspended, resumed, expired or were repealed.",
                        epilog="Examples:\n  tracker changes --since 2025-10-01 --until 2025-12-31\n"
                        "  tracker changes --since 2026-11-01 --json")
    ch.add_argument("--since", required=True, help="YYYY-MM-DD")
    ch.add_argument("--until", help="YYYY-MM-DD (default: today)")
    ch.add_argument("--json", action="store_true")

    ix = sub.add_parser("index", help="build or refresh the search index (FAISS + BM25)", formatter_class=fmt,
                        description="Chunk the latest version of every notice in both languages, embed only new or "
                        "changed chunks (cached by model and text hash), write the FAISS file. `tracker ask` does this "
                        "by itself when the store has changed.")
    ix.add_argument("--json", action="store_true")

    ask = sub.add_parser("ask", help="a cited, date-aware answer to a question in English or Chinese",
                         formatter_class=fmt, description="Answer from the stored notices only, every sentence cited; "
                         "refuse rather than guess. A date in the question (2025-12-15, 2025年12月15日, mid-October "
                         "2025) is the as-of date unless --as-of is given; several dates are each answered.",
                         epilog="Examples:\n  tracker ask \"Is No. 61's 0.1% rule in force on 2025-12-15?\"\n"
                         "  tracker ask \"镝的管制编码是什么？\" --json\n"
                         "  tracker ask --batch questions.jsonl --json   (one {\"question\", \"as_of\"} per line)")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: a date in the question, else today)")
    ask.add_argument("--batch", type=Path, help="JSONL file of questions; one answer per line, in order")
    ask.add_argument("--json", action="store_true")

    ev = sub.add_parser("eval", help="score answers on the question suite (and a plain langchain baseline)",
                        formatter_class=fmt, description="recall@5 of supporting clauses, MRR, key-fact accuracy, "
                        "citation precision, correct refusals and p50/p95 latency, split by language; the same suite "
                        "on RecursiveCharacterTextSplitter + FAISS + the same model (top-4 chunks as the answer).",
                        epilog="Example:\n  tracker demo >/dev/null && tracker eval --json")
    ev.add_argument("--suite", type=Path, default=None, help="JSONL suite (default: evals/questions.jsonl)")
    ev.add_argument("--no-baseline", action="store_true", help="skip the langchain baseline")
    ev.add_argument("--json", action="store_true")

    corpus = sub.add_parser("corpus", help="the bundled mirror of the MOFCOM sites")
    csub = corpus.add_subparsers(dest="corpus_command", metavar="ACTION")
    serve = csub.add_parser("serve", help="serve the mirror over HTTP as it stood on a given day",
                            formatter_class=fmt, description="Serve corpus/ with every real host under /<host>/...; "
                            "lists show what was published by --clock, dated variants switch on their dates.",
                            epilog="Example:\n  tracker corpus serve --port 8765 --clock 2025-10-20")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 = any free port)")
    serve.add_argument("--clock", default=None, help="YYYY-MM-DD (default: today)")
    serve.add_argument("--root", type=Path, help="serve another copy of the mirror")
    dates = csub.add_parser("dates", help="the days on which the mirror changes (the demo's clock steps)")
    dates.add_argument("--root", type=Path)
    dates.add_argument("--json", action="store_true")

    d = sub.add_parser("demo", help="walk the mirror's clock through the timeline, crawling after each step",
                       formatter_class=fmt, description="Serve the mirror in-process on a free port, move its "
                       "clock through every date on which something was published or changed, crawl after each "
                       "step and print what was found.")
    d.add_argument("--until", help="stop after this date (YYYY-MM-DD)")
    d.add_argument("--root", type=Path, help="use another copy of the mirror")

    cfg = sub.add_parser("config", help="show effective settings and where each came from")
    cfg.add_argument("--json", action="store_true")
    from tracker import commands_publish  # run, watch, digest, slack serve

    commands_publish.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 2
    try:
        return _dispatch(args, parser)
    except TrackerError as exc:
        print(f"tracker: error: {exc.one_line()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tracker: interrupted; the store keeps every page committed so far", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return 0


def _overrides(args) -> dict:
    return {"home": args.home, "mirror": getattr(args, "mirror", None), "sources": getattr(args, "sources", None)}


def _dispatch(args, parser) -> int:
    from tracker import commands, commands_ask
    from tracker.config import load_settings

    settings = load_settings(_overrides(args), args.config)
    from tracker.commands_publish import dispatch as publish

    if (code := publish(args, settings)) is not None:
        return code
    if args.command == "corpus":
        if args.corpus_command == "serve":
            return commands.corpus_serve(settings, args.root, args.port, args.clock)
        if args.corpus_command == "dates":
            return _emit(commands.corpus_dates(settings, args.root), args.json, commands.print_dates)
        parser.parse_args(["corpus", "--help"])
    if args.command == "crawl":
        report = commands.crawl(settings)
        _emit(report, args.json, commands.print_report)
        return 1 if report["failed"] else 0
    if args.command == "notices":
        return _emit(commands.notices(settings, args.kind), args.json, commands.print_notices)
    if args.command == "show":
        return _emit(commands.show(settings, args.id, args.lang, args.seq), args.json, commands.print_show)
    if args.command == "status":
        return _emit(commands.status(settings, args.as_of, args.notice, args.element), args.json,
                     commands.print_status)
    if args.command == "diff":
        data = commands.diff(settings, args.id, args.lang, args.v_from, args.v_to)
        return _emit(data, args.json, lambda d: commands.print_changeset(d, args.all))
    if args.command == "compare":
        return _emit(commands.compare(settings, args.a, args.b), args.json, commands.print_compare)
    if args.command == "changes":
        return _emit(commands.changes(settings, args.since, args.until), args.json, commands.print_changes)
    if args.command == "impact":
        from tracker import commands_impact

        data = commands_impact.impact(settings, args.catalogue, args.as_of, args.since, args.until,
                                     not args.no_semantic)
        _emit(data, args.json, commands_impact.print_impact)
        return 1 if any(e["row"] > 0 for e in data.get("errors", [])) else 0  # rows were skipped
    if args.command == "index":
        return _emit(commands_ask.index(settings), args.json, commands_ask.print_index)
    if args.command == "ask":
        return commands_ask.ask(settings, args.question, args.as_of, args.batch, args.json)
    if args.command == "eval":
        return _emit(commands_ask.evaluate(settings, args.suite, not args.no_baseline), args.json,
                     commands_ask.print_eval)
    if args.command == "demo":
        return commands.demo(settings, args.root, args.until)
    if args.command == "config":
        from tracker.config import describe

        return _emit(describe(settings, _overrides(args), args.config), args.json, commands.print_config)
    return 2


def _emit(data, as_json: bool, printer) -> int:
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        printer(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
