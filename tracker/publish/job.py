"""The daily job (`tracker run`): crawl, structure, diff, index, screen the configured catalogue, build the digest,
send it where configured. Every stage runs; a document that fails is one line in the summary (and makes the exit
code 1), never the end of the run. `tracker watch --every 24h` runs it in a plain loop.

What a run leaves in TRACKER_HOME/publish/: the digest of the day as .md, .html and .json, and state.json (the
last day a digest covered, so the next run starts the day after: a run missed on Saturday is covered on Sunday).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from tracker.config import Settings
from tracker.errors import TrackerError

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 7  # a first run after a long pause reports at most this many days back


def state_path(settings: Settings) -> Path:
    return settings.home / "publish" / "state.json"


def _since(settings: Settings, today: str) -> str:
    """The day after the last digest, within CATCH_UP_DAYS; today on the first run."""
    try:
        last = json.loads(state_path(settings).read_text("utf-8")).get("until")
        date.fromisoformat(last)
    except (OSError, ValueError, TypeError, AttributeError):
        return today
    start = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
    floor = (date.fromisoformat(today) - timedelta(days=CATCH_UP_DAYS - 1)).isoformat()
    return min(max(start, floor), today)


def run_once(settings: Settings, *, today: str | None = None, since: str | None = None, send: bool = True,
             progress=None) -> dict:
    """One pass of the pipeline. Returns the summary; `failures` lists every document or stage that failed."""
    from tracker.crawl import Crawler
    from tracker.embeddings import get_embedder
    from tracker.store.repository import Store

    today = today or date.today().isoformat()
    since = since or _since(settings, today)
    report: dict = {"date": today, "since": since, "failures": [], "warnings": [], "stages": {}}
    fail = report["failures"]
    started = time.perf_counter()
    with Store(settings.home) as store:
        # 1. crawl: each failed URL is one line; the rest is stored
        t0 = time.perf_counter()
        try:
            crawler = Crawler(settings, store)
            try:
                crawl = crawler.run(progress, today=today).as_dict()
            finally:
                crawler.close()
        except TrackerError as exc:
            crawl = {"new": [], "changed": [], "failed": [], "removed": [], "unchanged": 0}
            fail.append({"stage": "crawl", "document": None, "error": exc.one_line()})
        fail += [{"stage": "crawl", "document": _url_in(line), "error": line} for line in crawl["failed"]]
        report["stages"]["crawl"] = {**{k: crawl[k] for k in ("new", "changed", "removed", "unchanged")},
                                     "failed": len(crawl["failed"]), "seconds": _since_t(t0)}
        touched = list(dict.fromkeys(crawl["new"] + crawl["changed"]))
        embedder = get_embedder(settings.embedder)
        # 2. structure and 3. diff, per document
        t0 = time.perf_counter()
        report["stages"]["structure"] = _structure(store, touched, report)
        report["stages"]["diff"] = _diff(store, crawl["changed"], embedder, report)
        report["stages"]["structure"]["seconds"] = _since_t(t0)
        # 4. index
        t0 = time.perf_counter()
        try:
            from tracker.index.build import ensure_index

            stats = ensure_index(store, embedder)
            report["stages"]["index"] = {"rebuilt": stats is not None, "chunks": stats.chunks if stats else None,
                                         "embedded": stats.embedded if stats else 0, "seconds": _since_t(t0)}
        except Exception as exc:  # noqa: BLE001 - a stage that fails is reported, the run goes on
            fail.append({"stage": "index", "document": None, "error": _line(exc)})
        # 5. screen the catalogue
        report["stages"]["screen"] = _screen(settings, store, today, report)
        # 6. digest
        t0 = time.perf_counter()
        digest = None
        try:
            from tracker.publish.digest import build_digest

            digest = build_digest(store, since, today, embedder=embedder, catalogue=settings.catalogue)
            fail += [{"stage": "digest", "document": e["notice"], "error": e["error"]} for e in digest["errors"]]
            report["stages"]["digest"] = {"quiet": digest["quiet"], "notices": len(digest["notices"]),
                                          "versions": len(digest["versions"]),
                                          "transitions": len(digest["transitions"]),
                                          "upcoming": len(digest["upcoming"]),
                                          "interpretations": len(digest["interpretations"]),
                                          "product_changes": len(digest["products"]["changes"]),
                                          "files": _write(settings, digest), "seconds": _since_t(t0)}
        except Exception as exc:  # noqa: BLE001
            fail.append({"stage": "digest", "document": None, "error": _line(exc)})
    # 7. send
    report["stages"]["send"] = _send(settings, digest, report) if (digest is not None and send) else {"slack": None}
    if digest is not None:
        _save_state(settings, today)
    report["digest"] = digest
    report["seconds"] = _since_t(started)
    return report


def _since_t(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)


def _line(exc: Exception) -> str:
    if isinstance(exc, TrackerError):
        return exc.one_line()
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _url_in(line: str) -> str | None:
    m = re.search(r"https?://\S+?(?=[:\s,)]|$)", line)
    return m.group(0) if m else None


def _structure(store, notice_ids: list[str], report: dict) -> dict:
    from tracker.understand import understand

    done = 0
    for nid in notice_ids:
        try:
            info = store.notice(nid)
            for lang in info["languages"]:
                st = understand(store, nid, lang)
                report["warnings"] += [f"{w.notice}: {w.message}" for w in st.warnings]
            done += 1
        except Exception as exc:  # noqa: BLE001 - one document's failure is listed, the others go on
            report["failures"].append({"stage": "structure", "document": nid, "error": _line(exc)})
    return {"documents": done}


def _diff(store, notice_ids: list[str], embedder, report: dict) -> dict:
    from tracker.diff.engine import diff_versions
    from tracker.understand import understand

    substantive = 0
    for nid in notice_ids:
        try:
            info = store.notice(nid)
            for lang, n in info["versions"].items():
                if n < 2:
                    continue
                cs = diff_versions(understand(store, nid, lang, n - 1), understand(store, nid, lang, n), embedder)
                substantive += cs.summary["substantive"]
                store.audit("diff", {"notice": nid, "lang": lang, "from": n - 1, "to": n, "by": "run"},
                            {"summary": cs.summary, "labels": [c.label for c in cs.changes]},
                            f"diff/{embedder.name}", 0.0)
        except Exception as exc:  # noqa: BLE001
            report["failures"].append({"stage": "diff", "document": nid, "error": _line(exc)})
    return {"documents": len(notice_ids), "substantive_changes": substantive}


def _screen(settings: Settings, store, today: str, report: dict) -> dict:
    if settings.catalogue is None:
        return {"skipped": "no catalogue configured (TRACKER_CATALOGUE)"}
    try:
        from tracker.impact import load_catalogue, screen
    except ImportError:
        return {"skipped": "impact screening is not available in this installation"}
    try:
        products, errors = load_catalogue(settings.catalogue)
    except (TrackerError, OSError) as exc:
        report["failures"].append({"stage": "screen", "document": str(settings.catalogue), "error": _line(exc)})
        return {"products": 0}
    from tracker.publish.digest import row_message

    report["warnings"] += [row_message(e) for e in errors]
    try:
        result = screen(store, products, today)
    except Exception as exc:  # noqa: BLE001
        report["failures"].append({"stage": "screen", "document": str(settings.catalogue), "error": _line(exc)})
        return {"products": len(products)}
    verdicts: dict[str, int] = {}
    for p in result.get("products", []):
        verdicts[p["verdict"]] = verdicts.get(p["verdict"], 0) + 1
    return {"products": len(products), "skipped_rows": len(errors), "verdicts": verdicts}


def _write(settings: Settings, digest: dict) -> list[str]:
    from tracker.publish.render import render

    folder = settings.home / "publish" / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    stem = digest["until"] if digest["since"] == digest["until"] else f"{digest['since']}_{digest['until']}"
    paths = []
    for fmt in ("md", "html", "json"):
        path = folder / f"{stem}.{fmt}"
        path.write_text(render(digest, fmt), "utf-8")
        paths.append(str(path))
    return paths


def _send(settings: Settings, digest: dict, report: dict) -> dict:
    from tracker.publish.slack_app import SlackConfigError, post_digest

    try:
        result = post_digest(settings, digest)
    except SlackConfigError as exc:  # not configured: one line, not a failure
        print(f"tracker run: {exc}", file=sys.stderr)
        return {"slack": None, "note": str(exc)}
    except TrackerError as exc:
        report["failures"].append({"stage": "send", "document": settings.slack_channel, "error": exc.one_line()})
        return {"slack": None}
    return {"slack": result}


def _save_state(settings: Settings, today: str) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"until": today}) + "\n", "utf-8")
    tmp.replace(path)


# -- summary and loop ----------------------------------------------------------------------------------------------
def print_summary(report: dict, out=None) -> None:
    out = out or sys.stderr
    s = report["stages"]
    c = s.get("crawl", {})
    print(f"tracker run {report['date']} (digest {report['since']} → {report['date']}): "
          f"new {len(c.get('new', []))}, changed {len(c.get('changed', []))}, failed {c.get('failed', 0)}; "
          f"{report['seconds']}s", file=out)
    if "index" in s:
        i = s["index"]
        print(f"  index: {'rebuilt, ' + str(i['chunks']) + ' chunks, ' + str(i['embedded']) + ' embedded' if i['rebuilt'] else 'current'}",
              file=out)
    sc = s.get("screen", {})
    if "skipped" in sc:
        print(f"  screen: skipped ({sc['skipped']})", file=out)
    elif sc:
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(sc.get("verdicts", {}).items()))
        print(f"  screen: {sc.get('products', 0)} product(s): {verdicts or 'none screened'}", file=out)
    d = s.get("digest")
    if d:
        what = "quiet" if d["quiet"] else (f"{d['notices']} new notice(s), {d['versions']} new version(s), "
                                           f"{d['transitions']} state change(s), {d['product_changes']} product "
                                           f"verdict change(s)")
        print(f"  digest: {what}; {d['upcoming']} change(s) due in the next 30 days; written to "
              f"{Path(d['files'][0]).parent}", file=out)
    slack = s.get("send", {}).get("slack")
    if slack:
        print(f"  slack: posted {len(slack['messages'])} message(s) to {slack['channel']}", file=out)
    for w in report["warnings"][:20]:
        print(f"  warning: {w}", file=out)
    if len(report["warnings"]) > 20:
        print(f"  ... and {len(report['warnings']) - 20} more warning(s)", file=out)
    for f in report["failures"]:
        print(f"  ! {f['stage']}: {f['error']}", file=out)
    if report["failures"]:
        print(f"  {len(report['failures'])} failure(s); everything else completed", file=out)


INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_interval(text: str) -> float:
    """'24h', '30m', '90s', '1d' or plain seconds -> seconds."""
    m = INTERVAL.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise TrackerError(f"--every {text!r}: give a duration such as 24h, 30m, 90s or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def watch(settings: Settings, every: float, runs: int | None = None, *, send: bool = True, emit=None,
          sleep=time.sleep) -> int:
    """Run, sleep `every` seconds, run again; `runs` bounds the loop (None = until interrupted).
    Returns 1 when any run had failures, else 0."""
    worst, n = 0, 0
    while True:
        n += 1
        started = time.monotonic()
        try:
            report = run_once(settings, send=send)
        except TrackerError as exc:  # the store cannot be opened, ...: say so, try again next time
            print(f"tracker watch: run {n} failed: {exc.one_line()}", file=sys.stderr)
            worst = 1
        else:
            print_summary(report)
            if emit is not None:
                emit(report)
            worst = max(worst, 1 if report["failures"] else 0)
        if runs is not None and n >= runs:
            return worst
        wait = max(0.0, every - (time.monotonic() - started))
        print(f"tracker watch: next run in {wait:.0f}s (Ctrl-C stops)", file=sys.stderr)
        sleep(wait)
