"""Follow the mirror's timeline: serve it in-process, move its clock through every date on which it changes,
crawl after each step. Used by `tracker demo`, the evaluations and the benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.config import Settings
from tracker.crawl import Crawler
from tracker.mirror.server import Mirror, MirrorServer
from tracker.store.repository import Store
from tracker.types import CrawlReport


@contextmanager
def served(root: Path, clock: str = "0000-00-00") -> Iterator[MirrorServer]:
    server = MirrorServer(Mirror(root, clock)).start()
    try:
        yield server
    finally:
        server.stop()


def walk(settings: Settings, root: Path, until: str | None = None,
         on_step: Callable[[str, CrawlReport, Store], None] | None = None) -> int:
    """Crawl after every clock step into settings.home. Returns the number of failed URLs."""
    failures = 0
    with served(root) as server, Store(settings.home) as store:
        crawler = Crawler(settings.model_copy(update={"mirror": server.base_url}), store)
        try:
            for day in server.mirror.dates():
                if until and day > until:
                    break
                server.mirror.clock = day
                report = crawler.run(today=day)
                failures += len(report.failed)
                if on_step:
                    on_step(day, report, store)
        finally:
            crawler.close()
    return failures
