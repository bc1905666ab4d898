"""`tracker impact`: screen a product catalogue on a date, or list verdict changes between two dates."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.commands import _console, _embedder, _iso, _store
from tracker.config import Settings
from tracker.errors import TrackerError

STYLE = {"licence_likely": "bold red", "review": "yellow", "not_affected": "green", "insufficient_data": "magenta"}


def impact(settings: Settings, catalogue: Path, as_of: str | None, since: str | None, until: str | None,
           semantic: bool = True) -> dict:
    from tracker.impact import load_catalogue, screen, screener_for, verdict_changes

    products, errors = load_catalogue(catalogue)
    for e in errors:
        print(f"tracker: {e.message}", file=sys.stderr)
    if not products:
        raise TrackerError(f"{catalogue}: no product could be read ({len(errors)} bad row(s))")
    with _store(settings) as store:
        if not store.notices():
            raise TrackerError(f"the store at {settings.home} holds no notices yet: run `tracker crawl` (or "
                               f"`tracker demo`) first")
        screener = screener_for(store, _embedder(settings) if semantic else None)
        if since and as_of:
            raise TrackerError("give --as-of (one date) or --since/--until (changes between dates), not both")
        if since:
            d1 = _iso(since, "--since")
            d2 = _iso(until, "--until")
            if d2 < d1:
                raise TrackerError(f"--until {d2} is before --since {d1}")
            data = verdict_changes(store, products, d1, d2, screener=screener)
            data["errors"] = [e.as_dict() for e in errors]
            return data
        if until:
            raise TrackerError("--until needs --since (or use --as-of for one date)")
        return screen(store, products, _iso(as_of, "--as-of"), screener=screener, errors=errors,
                      progress=_progress(len(products)))


def _progress(total: int):
    if total < 500 or not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("screening", total=total)
    bar.start()
    done = [0]

    def step() -> None:
        done[0] += 1
        bar.advance(task)
        if done[0] >= total:
            bar.stop()

    return step


def print_impact(data: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    if "changes" in data:
        out.print(f"verdict changes {data['since']} → {data['until']}"
                  + ("  (projection: after the newest document)" if data.get("projection") else ""))
        if not data["changes"]:
            out.print("  no product changed verdict")
        for c in data["changes"]:
            r = c["reasons"][0] if c["reasons"] else None
            why = escape(f"{r['explanation']} [{r['number'] or r['notice']} {r['label']}]") if r else ""
            flag = " (projection)" if c.get("projected") else ""
            out.print(f"  {c['date']}{flag}  {c['sku']:<18} {c['from']} → [{STYLE[c['to']]}]{c['to']}[/]  {why}",
                      soft_wrap=True)
        out.print(f"[dim]{data['disclaimer']}[/dim]")
        return
    counts = ", ".join(f"{v} {k}" for k, v in data["counts"].items())
    out.print(f"[bold]impact on {data['as_of']}[/bold]: {counts}  (documents up to {data['documents_until']})")
    if data["projection"]:
        out.print(f"[yellow]{data['projection_note']}[/yellow]")
    table = Table(show_lines=True)
    for col in ("sku", "verdict", "why (notice, clause)", "next change"):
        table.add_column(col, overflow="fold")
    for p in data["products"]:
        applying = [r for r in p["reasons"] if r["applies"]]
        others = [r for r in p["reasons"] if not r["applies"]]
        shown = applying[:3] + others[: max(0, 4 - len(applying[:3]))]
        why = "\n".join(("" if r["applies"] else "(does not apply) ")
                        + f"{r['explanation']} [{r['number'] or r['notice']} {r['label']}]" for r in shown)
        why = escape(why or "no control matched")
        if p["missing"]:
            why = escape(f"missing: {', '.join(p['missing'])}") + "\n" + why
        nxt = p.get("next_change")
        verdict = p["verdict"] + (" (prohibited)" if p.get("prohibited") else "")
        table.add_row(escape(p["sku"]), f"[{STYLE[p['verdict']]}]{verdict}[/]", why,
                      f"{nxt['date']} → {nxt['verdict']}" + (" (projection)" if nxt["projected"] else "")
                      if nxt else "")
    out.print(table)
    for e in data["errors"]:
        out.print(("[red]skipped[/red] " if e["row"] else "[yellow]note[/yellow] ") + escape(e["message"]))
    out.print(f"[dim]{data['disclaimer']}[/dim]")
