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
    def __init__(self, out, embedder_name: str, catalogue: Path | None = None) -> None:
        self.out = out
        self.embedder_name = embedder_name
        self.previous: dict[tuple[str, str], tuple[str, bool]] = {}
        self.products = []
        self.last_screened: str | None = None
        if catalogue is not None and catalogue.exists():
            from tracker.impact import load_catalogue

            self.products, _errors = load_catalogue(catalogue)
            self.catalogue = catalogue

    def _impact(self, store: Store, day: str, header: bool = False) -> None:
        """Screen the sample catalogue up to this day; print each product whose verdict moved, on the day it did."""
        if not self.products:
            return
        from tracker.impact import screen, screener_for, verdict_changes

        screener = screener_for(store)
        if self.last_screened is None:
            moves = [{"sku": p["sku"], "date": day, "from": "not_affected", "to": p["verdict"], "reasons": p["reasons"]}
                     for p in screen(store, self.products, day, screener=screener)["products"]
                     if p["verdict"] != "not_affected"]
        else:
            moves = verdict_changes(store, self.products, self.last_screened, day, screener=screener)["changes"]
        self.last_screened = day
        for m in moves:
            if header:
                print(day, file=self.out)
                header = False
            why = next((r for r in m["reasons"] if r["applies"] or r["status"] == "ambiguous"), None)
            cite = f"  [{why['notice']} {why['label']}{' ' + why['status'] if not why['applies'] else ''}]" \
                if why else ""
            when = f" (from {m['date']})" if m["date"] != day else ""
            print(f"     impact: {m['sku']} {m['from']} → {m['to']}{when}{cite}", file=self.out)

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
        self._impact(store, day)

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

    def _states(self, store: Store, day: str, header: bool = False) -> bool:
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
        return bool(header and moved)


def run_demo(settings: Settings, root: Path | None, until: str | None, out=None) -> int:
    out = out or sys.stdout
    print(f"tracker demo: mirror {root or settings.corpus}; store in {settings.home}", file=sys.stderr)
    corpus = root or settings.corpus
    catalogue = getattr(settings, "catalogue", None) or corpus.parent / "examples" / "catalogue.csv"
    printer = _Printer(out, settings.embedder, Path(catalogue))
    if printer.products:
        print(f"screening {len(printer.products)} products of {catalogue} after each step", file=out)
    failures = walk(settings, root or settings.corpus, until, printer)
    with Store(settings.home) as store:
        last = store.conn.execute("SELECT MAX(observed_on) FROM version").fetchone()[0] or ""
        horizon = until or date.today().isoformat()
        later = [d for d in Regime(understand_all(store)).change_days() if last < d <= horizon]
        if later:
            print(f"\nNothing new is published after {last}; the documents already fix these dates:", file=out)
        for day in later:
            printed = printer._states(store, day, header=True)
            printer._impact(store, day, header=not printed)
        _answer_questions(settings, store, (root or settings.corpus) / "demo-questions.jsonl", out)
        _digest(store, last, printer, out)
        counts = store.counts()
    print(f"\nstore: {counts['notice']} documents (notices and official interpretations), {counts['version']} "
          f"versions, {counts['url']} URLs, "
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


def _digest(store: Store, day: str, printer: _Printer, out) -> None:
    """End with the change digest of the last clock step, as the daily job would publish it."""
    if not day:
        return
    from tracker.publish.digest import build_digest
    from tracker.publish.render import to_markdown

    catalogue = getattr(printer, "catalogue", None)
    print(f"\n--- digest for {day} (what `tracker run` publishes; also: tracker digest --date {day}) ---", file=out)
    print(to_markdown(build_digest(store, day, day, catalogue=catalogue)), file=out)
