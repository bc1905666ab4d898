"""`tracker demo`: the mirror served in-process, its clock walked through the timeline, a crawl after each step.

Later stages extend the step report (diffs, state of provisions, answers, impact, digest).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.config import Settings
from tracker.crawl import Crawler
from tracker.mirror.server import Mirror, MirrorServer
from tracker.store.repository import Store


def run_demo(settings: Settings, root: Path | None, until: str | None, out=None) -> int:
    out = out or sys.stdout
    mirror = Mirror(root or settings.corpus, "0000-00-00")
    server = MirrorServer(mirror).start()
    failures = 0
    try:
        settings = settings.model_copy(update={"mirror": server.base_url})
        print(f"tracker demo: mirror of {len(mirror.hosts)} hosts at {server.base_url}; store in {settings.home}",
              file=sys.stderr)
        with Store(settings.home) as store:
            crawler = Crawler(settings, store)
            try:
                for day in mirror.dates():
                    if until and day > until:
                        break
                    mirror.clock = day
                    report = crawler.run(today=day)
                    failures += len(report.failed)
                    _print_step(out, day, report, store)
            finally:
                crawler.close()
            counts = store.counts()
            print(f"\nstore: {counts['notice']} notices, {counts['version']} versions, {counts['url']} URLs, "
                  f"{counts['snapshot']} raw snapshots", file=out)
    finally:
        server.stop()
    return 1 if failures else 0


def _print_step(out, day: str, report, store: Store) -> None:
    if not (report.new or report.changed or report.removed or report.failed):
        print(f"{day}  nothing new ({report.unchanged} pages unchanged)", file=out)
        return
    print(f"{day}  new {len(report.new)}, changed {len(report.changed)}, removed {len(report.removed)}, "
          f"failed {len(report.failed)}", file=out)
    for nid in report.new:
        n = store.notice(nid)
        langs = "+".join(n["languages"])
        print(f"   + {nid:<28} {n['number'] or n['title'] or n['title_en']}  [{langs}]", file=out)
    for nid in report.changed:
        n = store.notice(nid)
        latest = [v for v in n["history"] if v["created_at"] >= _run_start(store)]
        what = ", ".join(f"{v['lang']} v{v['version']}" for v in latest) or "new version"
        print(f"   ~ {nid:<28} {what}", file=out)
    for url in report.removed:
        print(f"   - page removed: {url}", file=out)
    for line in report.failed:
        print(f"   ! {line}", file=out)


def _run_start(store: Store) -> str:
    row = store.conn.execute("SELECT started FROM run ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else ""
