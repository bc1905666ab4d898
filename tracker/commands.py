"""What each CLI command does, and how its data is printed for people. The CLI module only parses flags."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.types import CrawlReport


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


@contextmanager
def progress_bar(total: int):
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda *_: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("crawl"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda url: bar.update(task, advance=1, description=url.split("/")[2] if url else "")


# -- crawl -----------------------------------------------------------------------------------------------------
def crawl(settings: Settings) -> CrawlReport:
    from tracker.crawl import crawl as run

    return run(settings, progress=progress_bar)


def print_report(report: dict) -> None:
    out = _console()
    out.print(f"new: {len(report['new'])}  changed: {len(report['changed'])}  unchanged: {report['unchanged']}  "
              f"removed: {len(report['removed'])}  failed: {len(report['failed'])}  "
              f"(fetched {report['fetched']}, parsed {report['parsed_pages']} pages and "
              f"{report['parsed_annex_pages']} annex pages)")
    for nid in report["new"]:
        out.print(f"  + {nid}")
    for nid in report["changed"]:
        out.print(f"  ~ {nid}")
    for url in report["removed"]:
        out.print(f"  - removed: {url}")
    for line in report["failed"]:
        print(f"  ! {line}", file=sys.stderr)


# -- notices / show --------------------------------------------------------------------------------------------
def _store(settings: Settings):
    from tracker.store.repository import Store

    if not settings.db_path.exists():
        raise TrackerError(f"no store at {settings.home}: run `tracker crawl` (or `tracker demo`) first")
    return Store(settings.home)


def notices(settings: Settings, kind: str | None) -> list[dict]:
    with _store(settings) as store:
        return store.notices(kind)


def print_notices(rows: list[dict]) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("id", "issued", "number", "title", "versions", "urls"):
        table.add_column(col, overflow="fold")
    for r in rows:
        versions = " ".join(f"{lang}:{n}" for lang, n in r["versions"].items())
        urls = str(len(r["urls"])) + (" (1 removed)" if any(u["state"] == "removed" for u in r["urls"]) else "")
        table.add_row(r["id"], r["issued"] or "", r["number"], r["title"] or r["title_en"], versions, urls)
    _console().print(table)
    _console().print(f"{len(rows)} notice(s)")


def show(settings: Settings, notice_id: str, lang: str, seq: int | None) -> dict:
    with _store(settings) as store:
        data = store.notice(notice_id)
        if data is None:
            known = ", ".join(n["id"] for n in store.notices()[:6])
            raise TrackerError(f"no notice {notice_id!r} in the store (known: {known}, ...; see `tracker notices`)")
        page = store.version_page(notice_id, lang, seq)
        if page is None and seq is not None:
            raise TrackerError(f"notice {notice_id} has no {lang} version {seq}")
        data["text"] = {"lang": lang, "version": seq or data["versions"].get(lang),
                        "blocks": [{"marker": b.marker, "text": b.text, "kind": b.kind} for b in page.blocks]
                        if page else []}
        return data


def print_show(data: dict) -> None:
    out = _console()
    out.print(f"[bold]{data['id']}[/bold]  {data['number']}  issued {data['issued']}")
    out.print(data["title"])
    if data["title_en"]:
        out.print(data["title_en"])
    for u in data["urls"]:
        out.print(f"  {u['url']}" + ("  [removed]" if u["state"] == "removed" else ""))
    for v in data["history"]:
        out.print(f"  {v['lang']} v{v['version']}  {v['created_at'][:19]}  {v['url']}")
        for a in v["annexes"]:
            out.print(f"      annex {a['n']}: {a['title']} [{a['status']}, {a['pages']} p.] {a['url']}")
    text = data["text"]
    out.print(f"\n--- {text['lang']} v{text['version']} ---")
    for b in text["blocks"]:
        out.print(f"{b['marker']}{b['text']}", markup=False)


# -- corpus ----------------------------------------------------------------------------------------------------
def _mirror(settings: Settings, root: Path | None, clock: str | None):
    from tracker.mirror.server import Mirror

    return Mirror(root or settings.corpus, clock or date.today().isoformat())


def corpus_serve(settings: Settings, root: Path | None, port: int, clock: str | None) -> int:
    from tracker.mirror.server import MirrorServer

    mirror = _mirror(settings, root, clock)
    server = MirrorServer(mirror, port)
    print(f"serving {mirror.root} as of {mirror.clock} at {server.base_url} "
          f"(hosts: {', '.join(sorted(mirror.hosts))}); Ctrl-C stops", file=sys.stderr)
    print(f"crawl it with: tracker crawl --mirror {server.base_url}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def corpus_dates(settings: Settings, root: Path | None) -> list[str]:
    return _mirror(settings, root, None).dates()


def print_dates(dates: list[str]) -> None:
    print("\n".join(dates))


# -- config ----------------------------------------------------------------------------------------------------
def print_config(rows: list[dict]) -> None:
    from rich.table import Table

    table = Table()
    for col in ("name", "value", "origin", "help"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], r["value"], r["origin"], r["help"])
    _console().print(table)


# -- demo ------------------------------------------------------------------------------------------------------
def demo(settings: Settings, root: Path | None, until: str | None) -> int:
    from tracker.demo import run_demo

    return run_demo(settings, root, until)
