"""The publish commands: `tracker run`, `tracker watch`, `tracker digest`, `tracker slack serve`.

tracker/cli.py calls `add_parsers(subparsers)` while building its parser and `dispatch(args, settings)` before its
own commands; dispatch returns None for a command that is not one of these.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from tracker.config import Settings
from tracker.errors import TrackerError

FMT = argparse.RawDescriptionHelpFormatter
COMMANDS = ("run", "watch", "digest", "slack")


def add_parsers(sub) -> None:
    r = sub.add_parser("run", help="the daily job: crawl, structure, diff, index, screen, digest, send",
                       formatter_class=FMT, description="One pass of the whole pipeline: crawl the sources, read the "
                       "structure of new and changed notices, diff new versions, refresh the search index, screen the "
                       "configured catalogue, build the digest of the days since the last run, write it to "
                       "TRACKER_HOME/publish/digests/ (md, html, json), print it, and post it to Slack when "
                       "TRACKER_SLACK_CHANNEL and TRACKER_SLACK_BOT_TOKEN are set.\n\n"
                       "A document that fails is one line in the summary (stderr) and the exit code is 1; every "
                       "other document and stage still completes. Schedule it with cron or a systemd timer "
                       "(docs/publish.md), or use `tracker watch`.",
                       epilog="Examples:\n  tracker run\n  tracker run --mirror http://127.0.0.1:8765 --date 2025-11-07\n"
                       "  tracker run --format html > digest.html\n  tracker run --no-send --json")
    _run_flags(r)

    w = sub.add_parser("watch", help="run the daily job in a plain loop", formatter_class=FMT,
                       description="`tracker run`, then sleep, then run again, until Ctrl-C. A run that fails is "
                       "reported and the loop goes on. For production prefer cron or a systemd timer "
                       "(docs/publish.md).", epilog="Examples:\n  tracker watch --every 24h\n"
                       "  tracker watch --every 6h --mirror http://127.0.0.1:8765")
    w.add_argument("--every", default="24h", help="time between runs: 24h, 30m, 90s, 1d (default 24h)")
    w.add_argument("--runs", type=int, help="stop after this many runs (default: until interrupted)")
    w.add_argument("--mirror", help="crawl this mirror instead of the real sites (see `tracker corpus serve`)")
    w.add_argument("--sources", type=Path, help="sources file (default: the real MOFCOM sites)")
    w.add_argument("--no-send", action="store_true", help="do not post to Slack")

    d = sub.add_parser("digest", help="what was published or changed on a day or in a range", formatter_class=FMT,
                       description="From the store (no crawling): new notices, new versions with a redline excerpt, "
                       "provisions that entered into force, were suspended, resumed or expired, provisions whose "
                       "state changes within 30 days after the range (as far as the documents known then say), new "
                       "or changed official interpretations, products whose impact verdict changed (with "
                       "TRACKER_CATALOGUE), bilingual titles and links to the sources. A quiet day says so in one "
                       "line.\n\nFormats: md (default), html (one self-contained page with inline CSS, fit for "
                       "e-mail), json, slack (Block Kit messages as JSON, split to Slack's limits).",
                       epilog="Examples:\n  tracker digest                          today\n"
                       "  tracker digest --date 2025-11-07\n"
                       "  tracker digest --since 2025-10-01 --until 2025-11-30 --format html > digest.html\n"
                       "  tracker digest --date 2025-11-07 --json | jq '.transitions[].event'")
    d.add_argument("--date", help="one day, YYYY-MM-DD (default: today)")
    d.add_argument("--since", help="first day of a range, YYYY-MM-DD")
    d.add_argument("--until", help="last day of a range (default: today)")
    d.add_argument("--format", choices=["md", "html", "json", "slack"], help="output format (default: "
                   "TRACKER_DIGEST_FORMAT, md)")
    d.add_argument("--json", action="store_true", help="same as --format json")
    d.add_argument("--catalogue", help="product catalogue to report verdict changes for (default: "
                   "TRACKER_CATALOGUE)")

    s = sub.add_parser("slack", help="the Slack bot (/exportctl, mentions)")
    ssub = s.add_subparsers(dest="slack_command", metavar="ACTION")
    serve = ssub.add_parser("serve", help="serve the Slack app over HTTP (or Socket Mode with --socket)",
                            formatter_class=FMT, description="Answer `/exportctl <question>`, `/exportctl status "
                            "<element or notice>`, `/exportctl impact <sku>` and @mentions from the store.\n\n"
                            "HTTP mode: point the slash command's and Event Subscriptions' Request URL at "
                            "https://YOUR-HOST/slack/events (behind a TLS proxy); needs TRACKER_SLACK_BOT_TOKEN and "
                            "TRACKER_SLACK_SIGNING_SECRET. Socket Mode (--socket): no public URL; needs "
                            "TRACKER_SLACK_BOT_TOKEN and TRACKER_SLACK_APP_TOKEN (xapp-...). Tokens are never "
                            "logged; a missing one stops the command with one line naming it.",
                            epilog="Examples:\n  tracker slack serve --port 3000\n  tracker slack serve --socket")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port (default 3000; 0 = any free port)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode instead of HTTP")
    serve.add_argument("--home", type=Path, default=argparse.SUPPRESS, help="data directory (env TRACKER_HOME)")
    serve.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="settings file")


def _run_flags(r) -> None:
    r.add_argument("--mirror", help="crawl this mirror instead of the real sites (see `tracker corpus serve`)")
    r.add_argument("--sources", type=Path, help="sources file (default: the real MOFCOM sites)")
    r.add_argument("--date", help="the day the run is for, YYYY-MM-DD (default: today; for replaying a mirror)")
    r.add_argument("--since", help="first day of the digest (default: the day after the last run's digest)")
    r.add_argument("--format", choices=["md", "html", "json", "slack"], help="digest printed to stdout "
                   "(default: TRACKER_DIGEST_FORMAT, md)")
    r.add_argument("--json", action="store_true", help="print the run summary (with the digest) as JSON")
    r.add_argument("--no-send", action="store_true", help="do not post to Slack")


def dispatch(args, settings: Settings) -> int | None:
    if args.command not in COMMANDS:
        return None
    if args.command == "digest":
        return digest(settings, args)
    if args.command == "run":
        return run(settings, args)
    if args.command == "watch":
        return watch(settings, args)
    if args.command == "slack":
        if getattr(args, "slack_command", None) != "serve":
            print("usage: tracker slack serve [--port P | --socket]  (see `tracker slack serve --help`)",
                  file=sys.stderr)
            return 2
        return slack_serve(settings, args)
    return None


def _day(value: str | None, what: str) -> str:
    from tracker.commands import _iso

    return _iso(value, what)


# -- digest ------------------------------------------------------------------------------------------------------
def digest(settings: Settings, args) -> int:
    from tracker.commands import _embedder, _store
    from tracker.publish.digest import build_digest
    from tracker.publish.render import render

    if args.date and (args.since or args.until):
        raise TrackerError("give --date for one day, or --since [--until] for a range (not both)")
    if args.until and not args.since:
        raise TrackerError("--until needs --since (or use --date for one day)")
    if args.date:
        since = until = _day(args.date, "--date")
    elif args.since:
        since, until = _day(args.since, "--since"), _day(args.until, "--until")
    else:
        since = until = date.today().isoformat()
    fmt = "json" if args.json else (args.format or settings.digest_format)
    catalogue = Path(args.catalogue) if args.catalogue else settings.catalogue
    with _store(settings) as store:
        data = build_digest(store, since, until, embedder=_embedder(settings), catalogue=catalogue)
    out = render(data, fmt)
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n" if fmt == "slack" else out)
    for e in data["errors"]:
        print(f"tracker digest: {e['notice']}: {e['error']}", file=sys.stderr)
    if data["products"]["note"] and catalogue is not None:
        print(f"tracker digest: products: {data['products']['note']}", file=sys.stderr)
    return 0


# -- run / watch -------------------------------------------------------------------------------------------------
def _probe(settings: Settings) -> None:
    """--mirror / --sources were applied to the settings by the CLI; fail fast when the mirror is not there."""
    if settings.mirror:
        from tracker.commands import _probe_mirror

        _probe_mirror(settings.mirror)


def run(settings: Settings, args) -> int:
    from tracker.publish.job import print_summary, run_once
    from tracker.publish.render import render

    _probe(settings)
    today = _day(args.date, "--date") if args.date else None
    since = _day(args.since, "--since") if args.since else None
    if since and today and since > today:
        raise TrackerError(f"--since {since} is after --date {today}")
    report = run_once(settings, today=today, since=since, send=not args.no_send)
    print_summary(report)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif report.get("digest") is not None:
        fmt = args.format or settings.digest_format
        out = render(report["digest"], fmt)
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n" if fmt == "slack" else out)
    return 1 if report["failures"] else 0


def watch(settings: Settings, args) -> int:
    from tracker.publish.job import parse_interval
    from tracker.publish.job import watch as loop

    every = parse_interval(args.every)
    if args.runs is not None and args.runs < 1:
        raise TrackerError(f"--runs {args.runs}: give 1 or more (or leave it out to run until Ctrl-C)")
    _probe(settings)
    print(f"tracker watch: a run every {args.every}; Ctrl-C stops", file=sys.stderr)
    try:
        return loop(settings, every, args.runs, send=not args.no_send)
    except KeyboardInterrupt:
        print("tracker watch: stopped", file=sys.stderr)
        return 0


# -- slack -------------------------------------------------------------------------------------------------------
def slack_serve(settings: Settings, args) -> int:
    from tracker.publish.slack_app import Bot, serve_http, serve_socket

    bot = Bot(settings)
    if args.socket:
        handler = serve_socket(settings, bot)
        print(f"tracker slack: {bot.warm()}", file=sys.stderr)
        print("tracker slack: Socket Mode connected; Ctrl-C stops", file=sys.stderr)
        try:
            import time

            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            handler.close()
        return 0
    if not 0 <= args.port <= 65535:
        raise TrackerError(f"--port {args.port}: a port is a number from 0 to 65535")
    try:
        server = serve_http(settings, args.host, args.port, bot)
    except TrackerError:
        raise
    except OSError as exc:
        import errno

        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise TrackerError(f"--port {args.port}: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
                               f"pick another port") from exc
        raise TrackerError(f"the Slack app could not start: {' '.join(str(exc).split())[:200]} (is Slack's API "
                           f"reachable? see slack_api_url)") from exc
    except Exception as exc:  # noqa: BLE001 - e.g. auth.test refused the token: one line, naming what failed
        raise TrackerError(f"the Slack app could not start: {' '.join(str(exc).split())[:200]} (check "
                           f"TRACKER_SLACK_BOT_TOKEN and TRACKER_SLACK_SIGNING_SECRET)") from exc
    print(f"tracker slack: {bot.warm()}", file=sys.stderr)
    print(f"tracker slack: listening on {server.url} (health: /health); Ctrl-C stops", file=sys.stderr)
    from tracker.commands import serve_until_interrupted

    return serve_until_interrupted(server)

