"""`tracker demo`: the mirror served in-process, its clock walked through the timeline, a crawl after each step;
after each step the changes found (explained) and the rare-earth provisions whose state moved."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from tracker.config import Settings
from tracker.diff.engine import diff_versions, sort_changes
from tracker.embeddings import get_embedder
from tracker.mirror.walk import walk
from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.structure.glossary import TERMS
from tracker.types import CrawlReport
from tracker.understand import understand, understand_all

RARE_EARTHS = [t.symbol for t in TERMS if t.group == "rare_earth"]


class _Printer:
    def __init__(self, out, embedder_name: str) -> None:
        self.out = out
        self.embedder_name = embedder_name
        self.previous: dict[tuple[str, str], tuple[str, bool]] = {}

    def __call__(self, day: str, report: CrawlReport, store: Store) -> None:
        out = self.out
        if not (report.new or report.changed or report.removed or report.failed):
            print(f"{day}  nothing new ({report.unchanged} pages unchanged)", file=out)
        else:
            print(f"{day}  new {len(report.new)}, changed {len(report.changed)}, removed {len(report.removed)}, "
                  f"failed {len(report.failed)}", file=out)
        for nid in report.new:
            n = store.notice(nid)
            print(f"   + {nid:<28} {n['number'] or n['title']}  [{'+'.join(n['languages'])}]", file=out)
        for nid in report.changed:
            self._changed(store, nid, day)
        for url in report.removed:
            print(f"   - page removed: {url}", file=out)
        for line in report.failed:
            print(f"   ! {line}", file=out)
        self._states(store, day)

    def _changed(self, store: Store, nid: str, day: str) -> None:
        for v in store.notice(nid)["history"]:
            if v["observed_on"] != day or v["version"] < 2:
                continue
            cs = diff_versions(understand(store, nid, v["lang"], v["version"] - 1),
                               understand(store, nid, v["lang"], v["version"]), get_embedder(self.embedder_name))
            print(f"   ~ {nid} {v['lang']} v{v['version'] - 1}→v{v['version']}: "
                  f"{cs.summary['substantive']} substantive change(s)", file=self.out)
            for c in sort_changes(list(cs.changes))[:3]:
                print(f"       {c.explanation_en if v['lang'] == 'en' else c.explanation_zh}", file=self.out)

    def _states(self, store: Store, day: str, header: bool = False) -> None:
        regime = Regime(understand_all(store))
        moved = []
        for element in RARE_EARTHS:
            for s in regime.snapshot(day, element=element):
                key = (s.notice, s.provision)
                if self.previous.get(key) != (s.status, s.ambiguous):
                    self.previous[key] = (s.status, s.ambiguous)
                    moved.append(s)
        seen = set()
        if header and moved:
            print(day, file=self.out)
        for s in moved:
            if (s.notice, s.provision) in seen:
                continue
            seen.add((s.notice, s.provision))
            label = "whole notice" if s.provision == "*" else s.provision
            until = f" until {s.until}" if s.until else ""
            flag = " (ambiguous boundary day)" if s.ambiguous else ""
            print(f"     rare earths: {s.notice} {label}: {s.status}{until}{flag}", file=self.out)


def run_demo(settings: Settings, root: Path | None, until: str | None, out=None) -> int:
    out = out or sys.stdout
    print(f"tracker demo: mirror {root or settings.corpus}; store in {settings.home}", file=sys.stderr)
    printer = _Printer(out, settings.embedder)
    failures = walk(settings, root or settings.corpus, until, printer)
    with Store(settings.home) as store:
        last = store.conn.execute("SELECT MAX(observed_on) FROM version").fetchone()[0] or ""
        horizon = until or date.today().isoformat()
        later = [d for d in Regime(understand_all(store)).change_days() if last < d <= horizon]
        if later:
            print(f"\nNothing new is published after {last}; the documents already fix these dates:", file=out)
        for day in later:
            printer._states(store, day, header=True)
        _answer_questions(settings, store, (root or settings.corpus) / "demo-questions.jsonl", out)
        counts = store.counts()
    print(f"\nstore: {counts['notice']} notices, {counts['version']} versions, {counts['url']} URLs, "
          f"{counts['snapshot']} raw snapshots", file=out)
    return 1 if failures else 0


def _answer_questions(settings: Settings, store: Store, path: Path, out) -> None:
    """End the story with a few answers, in both languages, with citations (questions from the mirror's folder)."""
    import json

    from tracker.answer.ask import Asker
    from tracker.index.build import ensure_index

    if not path.exists():
        return
    stats = ensure_index(store, get_embedder(settings.embedder))
    if stats:
        print(f"\nindexed {stats.chunks} chunks ({stats.embedded} embedded, {stats.seconds:.1f}s)", file=out)
    asker = Asker(settings, store)
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        answer = asker.ask(json.loads(line)["question"])
        print(f"\nQ: {answer.question}\nA: {answer.answer}", file=out)
        for i, c in enumerate(answer.citations, 1):
            print(f"   [{i}] {c.notice} {c.label} {c.url}", file=out)
