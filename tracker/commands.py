"""What each CLI command does, and how its data is printed for people. The CLI module only parses flags."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from tracker.config import Settings
from tracker.errors import TrackerError


def _console(stderr: bool = False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160  # piped output: wide enough that ids and dates never fold
    return console


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
def crawl(settings: Settings) -> dict:
    """Crawl, then read the structure of what is new or changed: numbering problems are warnings naming the
    notice; relations to notices the store lacks are listed as unresolved."""
    from tracker.crawl import crawl as run
    from tracker.understand import understand

    if settings.mirror:
        _probe_mirror(settings.mirror)

    report = run(settings, progress=progress_bar).as_dict()
    report["warnings"] = []
    with _store(settings) as store:
        for nid in report["new"] + report["changed"]:
            info = store.notice(nid)
            st = understand(store, nid, "zh" if "zh" in info["languages"] else "en")
            report["warnings"] += [f"{w.notice}: {w.message}" for w in st.warnings]
    return report


def _probe_mirror(base: str) -> None:
    """Fail fast, in one line, when nothing listens at --mirror (rather than retrying every URL)."""
    import httpx

    try:
        httpx.get(base.rstrip("/") + "/", timeout=5)
    except httpx.HTTPError as exc:
        raise TrackerError(f"--mirror {base}: nothing answers there ({type(exc).__name__}); is "
                           f"`tracker corpus serve` running?") from exc


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
    for line in report.get("warnings", []):
        print(f"  warning: {line}", file=sys.stderr)


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
        number = r["number"] or ("official interpretation" if r["kind"] == "interpretation" else "")
        table.add_row(r["id"], r["issued"] or "", number, r["title"] or r["title_en"], versions, urls)
    _console().print(table)
    interpretations = sum(1 for r in rows if r["kind"] == "interpretation")
    _console().print(f"{len(rows) - interpretations} notice(s)"
                     + (f", {interpretations} official interpretation(s)" if interpretations else ""))


def _nearest(wanted: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def show(settings: Settings, notice_id: str, lang: str | None, seq: int | None) -> dict:
    from tracker.regime import Regime
    from tracker.understand import understand, understand_all

    with _store(settings) as store:
        data = store.notice(notice_id)
        if data is None:
            ids = [n["id"] for n in store.notices()]
            hint = _nearest(notice_id, ids) or f" (known: {', '.join(ids[:6])}, ...)"
            raise TrackerError(f"no notice {notice_id!r} in the store{hint}; see `tracker notices`")
        if lang is None:  # the Chinese text where there is one, else what there is
            lang = "zh" if "zh" in data["languages"] else (data["languages"] or ["zh"])[0]
        page = store.version_page(notice_id, lang, seq)
        if lang not in data["languages"]:
            raise TrackerError(f"notice {notice_id} has no {lang} text (available: {', '.join(data['languages'])})")
        if page is None and seq is not None:
            raise TrackerError(f"notice {notice_id} has no {lang} version {seq} (versions 1..{data['versions'][lang]})")
        data["text"] = {"lang": lang, "version": seq or data["versions"].get(lang),
                        "blocks": [{"marker": b.marker, "text": b.text, "kind": b.kind} for b in page.blocks]
                        if page else []}
        st = understand(store, notice_id, lang, seq)
        data["clauses"] = [{"label": c.label, "kind": c.kind, "text": f"{c.marker}{c.text}" if c.kind == "clause"
                            else c.text} for c in st.clauses] if st else []
        regime = Regime(understand_all(store))
        if data["kind"] == "interpretation":
            data["discusses"] = [{"notice": r.target, "as_printed": r.target_text, "label": r.source_label,
                                  "known": r.target in regime.structures} for r in (st.relations if st else ())]
        else:
            data["interpretations"] = [
                {"id": i.notice, "issued": i.issued, "title": i.title or i.title_en, "label": r.source_label,
                 "url": i.url} for i, r in regime.interpretations_of(notice_id)]
        return data


def print_show(data: dict) -> None:
    out = _console()
    kind = "  (official interpretation, not legal text)" if data["kind"] == "interpretation" else ""
    out.print(f"[bold]{data['id']}[/bold]  {data['number']}  issued {data['issued']}{kind}")
    out.print(data["title"], markup=False)
    if data["title_en"]:
        out.print(data["title_en"], markup=False)
    for u in data["urls"]:
        out.print(f"  {u['url']}" + ("  [removed]" if u["state"] == "removed" else ""))
    for v in data["history"]:
        out.print(f"  {v['lang']} v{v['version']}  {v['created_at'][:19]}  {v['url']}")
        for a in v["annexes"]:
            out.print(f"      annex {a['n']}: {a['title']} [{a['status']}, {a['pages']} p.] {a['url']}")
    if data.get("discusses"):
        out.print("\ndiscusses: " + ", ".join(d["notice"] + ("" if d["known"] else " (not in the store)")
                                          for d in data["discusses"]))
    if data.get("interpretations"):
        out.print("\nofficial interpretations of this notice:")
        for i in data["interpretations"]:
            out.print(f"  {i['issued']}  {i['id']}  {i['title']}  (at {i['label']})", markup=False)
    text = data["text"]
    out.print(f"\n--- {text['lang']} v{text['version']} ---")
    width = max((len(c["label"]) for c in data["clauses"]), default=0)
    for c in data["clauses"]:
        out.print(f"{c['label']:<{width}}  {c['text']}", markup=False, soft_wrap=True)


# -- status ----------------------------------------------------------------------------------------------------
def _iso(value: str | None, what: str) -> str:
    if value is None:
        return date.today().isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise TrackerError(f"{what}: {value!r} is not a date; use YYYY-MM-DD") from exc


def regime(settings: Settings):
    from tracker.regime import Regime
    from tracker.understand import understand_all

    with _store(settings) as store:
        return Regime(understand_all(store))


def status(settings: Settings, as_of: str | None, notice: str | None, element: str | None) -> dict:
    from tracker.structure.glossary import lookup

    day = _iso(as_of, "--as-of")
    if element and lookup(element) is None:
        raise TrackerError(f"--element: unknown element or material {element!r} (try Dy, 镝 or dysprosium)")
    reg = regime(settings)
    if notice and notice in reg.interpretations:
        raise TrackerError(f"--notice: {notice} is an official interpretation; it has no provisions of its own "
                           f"(see `tracker show {notice}` for the notices it discusses)")
    if notice and notice not in reg.structures:
        raise TrackerError(f"--notice: no notice {notice!r} in the store{_nearest(notice, reg.structures)} "
                           f"(see `tracker notices`)")
    return {
        "as_of": day,
        "documents_until": reg.horizon,
        "projection": reg.projection_note(day),
        "provisions": [s.as_dict() for s in reg.snapshot(day, notice, element)],
        "unresolved": [{"notice": src, "kind": r.kind, "label": r.source_label, "target": r.target,
                        "as_printed": r.target_text} for src, r in reg.unresolved
                       if r.kind in ("suspends", "resumes", "repeals", "supersedes", "amends")],
        "warnings": [{"notice": w.notice, "message": w.message} for st in reg.structures.values()
                     for w in st.warnings if not notice or w.notice == notice],
    }


STATUS_STYLE = {"in_force": "green", "not_yet_effective": "cyan", "suspended": "yellow", "repealed": "red",
                "expired": "dim"}


def print_status(data: dict) -> None:
    from rich.table import Table

    table = Table(title=f"State of provisions on {data['as_of']}")
    for col in ("notice", "provision", "status", "since", "until"):
        table.add_column(col, no_wrap=True)
    table.add_column("note", overflow="fold")
    for p in data["provisions"]:
        status = f"[{STATUS_STYLE[p['status']]}]{p['status']}[/]" + (" [bold red]ambiguous[/]" if p["ambiguous"] else "")
        label = "whole notice" if p["provision"] == "*" else p["provision"]
        table.add_row(p["notice"], label, status, p["since"] or "", p["until"] or "", p["note"])
    _console().print(table)
    if data.get("projection"):
        _console().print(f"[bold yellow]Note:[/] {data['projection']}.")
    if data["unresolved"]:
        _console().print(f"{len(data['unresolved'])} relation(s) name notices the store lacks, e.g. "
                         f"{data['unresolved'][0]['as_printed']} ({data['unresolved'][0]['kind']} in "
                         f"{data['unresolved'][0]['notice']}); they resolve when those notices are crawled.")


# -- corpus ----------------------------------------------------------------------------------------------------
def _mirror(settings: Settings, root: Path | None, clock: str | None):
    from tracker.mirror.server import Mirror

    return Mirror(root or settings.corpus, clock or date.today().isoformat())


def corpus_serve(settings: Settings, root: Path | None, port: int, clock: str | None) -> int:
    from tracker.mirror.server import MirrorServer

    if clock:
        _iso(clock, "--clock")
    mirror = _mirror(settings, root, clock)
    if not 0 <= port <= 65535:
        raise TrackerError(f"--port {port}: a port is a number from 0 to 65535")
    try:
        server = MirrorServer(mirror, port)
    except OSError as exc:
        raise TrackerError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                           f"pick another port or --port 0 for any free one") from exc
    print(f"serving {mirror.root} as of {mirror.clock} at {server.base_url} "
          f"(hosts: {', '.join(sorted(mirror.hosts))}); Ctrl-C stops", file=sys.stderr)
    print(f"crawl it with: tracker crawl --mirror {server.base_url}", file=sys.stderr)
    return serve_until_interrupted(server)


def serve_until_interrupted(server) -> int:
    """Serve until Ctrl-C; always release the port."""
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
        table.add_row(r["name"], "" if r["value"] is None else str(r["value"]), r["origin"], r["help"])
    _console().print(table)


# -- demo ------------------------------------------------------------------------------------------------------
def demo(settings: Settings, root: Path | None, until: str | None) -> int:
    """The demo writes the mirror's synthetic documents: never into your real store."""
    from tracker.config import default_home
    from tracker.demo import run_demo

    if until:
        _iso(until, "--until")
    home = settings.home
    if home == default_home():
        home = home / "demo"
        settings = settings.model_copy(update={"home": home})
    marker = home / "DEMO-STORE"
    if settings.db_path.exists() and not marker.exists():
        raise TrackerError(f"{home} holds a store that is not a demo store; run the demo with an empty "
                           f"TRACKER_HOME (e.g. TRACKER_HOME=/tmp/tracker-demo tracker demo)")
    home.mkdir(parents=True, exist_ok=True)
    marker.write_text("This store was filled by `tracker demo` from the bundled mirror (synthetic texts).\n")
    return run_demo(settings, root, until)


# -- diff / compare / changes ------------------------------------------------------------------------------------
def _embedder(settings: Settings):
    from tracker.embeddings import get_embedder

    return get_embedder(settings.embedder)


def diff(settings: Settings, notice_id: str, lang: str, v_from: int | None, v_to: int | None) -> dict:
    import time

    from tracker.diff.engine import diff_versions, sort_changes
    from tracker.understand import understand

    with _store(settings) as store:
        info = store.notice(notice_id)
        if info is None:
            raise TrackerError(f"no notice {notice_id!r} in the store (see `tracker notices`)")
        latest = info["versions"].get(lang, 0)
        if latest == 0:
            raise TrackerError(f"notice {notice_id} has no {lang} text; languages: {', '.join(info['languages'])}")
        to = v_to or latest
        frm = v_from or to - 1
        if latest == 1:
            raise TrackerError(f"notice {notice_id} has only version 1 in {lang}: nothing to compare yet")
        if frm < 1 or frm == to:
            raise TrackerError(f"notice {notice_id}: give two different versions between 1 and {latest} "
                               f"(e.g. --from 1 --to {latest})")
        if not (1 <= frm <= latest and 1 <= to <= latest):
            raise TrackerError(f"notice {notice_id} has {lang} versions 1..{latest}; asked {frm} -> {to}")
        started = time.perf_counter()
        old, new = understand(store, notice_id, lang, frm), understand(store, notice_id, lang, to)
        changeset = diff_versions(old, new, _embedder(settings))
        data = changeset.as_dict()
        data["changes"] = [c.as_dict() for c in sort_changes(list(changeset.changes))]
        store.audit("diff", {"notice": notice_id, "lang": lang, "from": frm, "to": to},
                    {"summary": changeset.summary, "labels": [c.label for c in changeset.changes]},
                    f"diff/{settings.embedder}", (time.perf_counter() - started) * 1000)
        return data


def print_changeset(data: dict, show_all: bool = False) -> None:
    out = _console()
    a, b = data["from"], data["to"]
    s = data["summary"]
    out.print(f"[bold]{b['notice']}[/bold] {a['lang']} v{a['version']} → v{b['version']}: {s['changes']} change(s), "
              f"{s['substantive']} substantive, {s['cosmetic']} cosmetic")
    for c in data["changes"]:
        if c["rank"] == "cosmetic" and not show_all:
            continue
        mark = "!" if c["rank"] == "substantive" else "·"
        out.print(f" {mark} [{c['type']}] {c['explanation']['en']}", markup=False)
        out.print(f"     {c['explanation']['zh']}", markup=False)
        out.print(f"     cite: {c['citation']['notice']} {c['citation']['label']} {c['citation']['url']}",
                  markup=False)
    hidden = sum(c["rank"] == "cosmetic" for c in data["changes"])
    if hidden and not show_all:
        out.print(f" ({hidden} cosmetic change(s) hidden; --all shows them)")


def compare(settings: Settings, a: str, b: str) -> dict:
    import time

    from tracker.diff.engine import compare as run, sort_changes
    from tracker.understand import understand

    with _store(settings) as store:
        sides = []
        for nid in (a, b):
            info = store.notice(nid)
            if info is None:
                raise TrackerError(f"no notice {nid!r} in the store (see `tracker notices`)")
            sides.append(understand(store, nid, "zh" if "zh" in info["languages"] else "en"))
        started = time.perf_counter()
        changeset = run(sides[0], sides[1], _embedder(settings))
        data = changeset.as_dict()
        data["changes"] = [c.as_dict() for c in sort_changes(list(changeset.changes))]
        store.audit("compare", {"a": a, "b": b}, {"summary": changeset.summary}, f"compare/{settings.embedder}",
                    (time.perf_counter() - started) * 1000)
        return data


def print_compare(data: dict) -> None:
    out = _console()
    a, b, s = data["from"]["notice"], data["to"]["notice"], data["summary"]
    out.print(f"[bold]{a}[/bold] ({s['items'][a]} items) vs [bold]{b}[/bold] ({s['items'][b]} items)")
    for nid in (a, b):
        only = s["elements_only_in"][nid]
        if only:
            names = ", ".join(f"{e['zh']} {e['symbol']}" + (f" ({', '.join(codes)})" if (codes := s['codes_only_in']
                              [nid].get(e['symbol'], [])) else "") for e in only)
            out.print(f"  elements only in {nid}: {names}", markup=False)
    if s["elements_in_both"]:
        out.print("  elements in both: " + ", ".join(f"{e['zh']} {e['symbol']}" for e in s["elements_in_both"]))
    for nid in (a, b):
        out.print(f"  {nid}: {s['reference_numbers'][nid]}; effective "
                  + ", ".join(f"{e['provision']}: {e['date']}" for e in s["effective"][nid]))
    by = s["by_type"]
    out.print(f"  items only in {b}: {by.get('added', 0)}; only in {a}: {by.get('removed', 0)}; paired and "
              f"different: {by.get('modified', 0)}")
    for c in data["changes"][:40]:
        out.print(f"   [{c['type']}] {c['explanation']['en']}", markup=False)
    if len(data["changes"]) > 40:
        out.print(f"   ... and {len(data['changes']) - 40} more (--json lists all)")


def changes(settings: Settings, since: str, until: str | None) -> dict:
    import time

    from tracker.changes import regime_changes
    from tracker.regime import Regime
    from tracker.understand import understand_all

    d1, d2 = _iso(since, "--since"), _iso(until, "--until")
    if d2 < d1:
        raise TrackerError(f"--until {d2} is before --since {d1}")
    with _store(settings) as store:
        started = time.perf_counter()
        data = regime_changes(store, Regime(understand_all(store)), d1, d2, _embedder(settings))
        store.audit("changes", {"since": d1, "until": d2},
                    {"published": [p["notice"] for p in data["published"]], "transitions": len(data["transitions"])},
                    "changes", (time.perf_counter() - started) * 1000)
        return data


def print_changes(data: dict) -> None:
    out = _console()
    out.print(f"[bold]Changes {data['since']} → {data['until']}[/bold]")
    for p in data["published"]:
        out.print(f"  published {p['issued']}  {p['notice']}  {p['title']}  ({p['items']} items)", markup=False)
    for v in data["versions"]:
        out.print(f"  new version {v['observed_on']}  {v['notice']} {v['lang']} v{v['version']}: "
                  f"{v['summary']['changes']} change(s)", markup=False)
        for c in v["changes"][:5]:
            out.print(f"      {c['explanation']['en']}", markup=False)
    if data["items_removed"]:
        out.print(f"  items removed: {len(data['items_removed'])}")
    for t in data["transitions"]:
        flag = (" (ambiguous boundary day)" if t["ambiguous"] else "") + (" [projection]" if t["projected"] else "")
        label = "whole notice" if t["provision"] == "*" else t["provision"]
        out.print(f"  {t['date']}  {t['event']:<28} {t['notice']} {label}{flag}", markup=False)
    if not (data["published"] or data["versions"] or data["transitions"]):
        out.print("  nothing changed in this period")
    if data.get("projection"):
        out.print(f"  Note: {data['projection']}.")
