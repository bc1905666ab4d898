"""Impact: which products of a catalogue the controls in the store may touch, why, and from when.

    products, errors = load_catalogue("examples/catalogue.csv")
    report = screen(store, products, "2025-12-15")             # JSON-ready dict (see README, Impact)
    moves = verdict_changes(store, products, "2025-10-01", "2026-03-01")
"""

from __future__ import annotations

from tracker.impact.catalogue import Material, Product, RowError, load_catalogue

__all__ = ["Material", "Product", "RowError", "load_catalogue", "screen", "verdict_changes", "screener_for"]


def screener_for(store, embedder=None):
    """A screener over the store's documents. With an embedder whose search index is current, descriptions that
    share nothing with any item also get semantic candidates (see Semantic)."""
    from tracker.impact.controls import read_controls
    from tracker.impact.screening import Screener, Semantic
    from tracker.regime import Regime
    from tracker.understand import understand_all

    semantic = None
    if embedder is not None:
        from tracker.index.build import index_is_current
        from tracker.index.search import Retriever

        if index_is_current(store, embedder.name):
            semantic = Semantic(Retriever(store, embedder), {n["id"] for n in store.notices("notice")})
    screener = Screener(read_controls(Regime(understand_all(store))), semantic)
    screener.semantic_note = "" if semantic or embedder is None else (
        f"semantic candidates skipped: no current search index for {embedder.name} (run `tracker index`)")
    return screener


def _next_change(known, f, found, as_of: str, verdict: str) -> dict | None:
    """The next day the verdict moves, as the documents published by as_of fix it (no hindsight)."""
    days = getattr(known, "_days", None)
    if days is None:
        days = known._days = [d for d in known.regime.change_days() if d > as_of]
    for day in days:
        later = known.verdict(f, found, day)["verdict"]
        if later != verdict:
            return {"date": day, "verdict": later, "known_on": as_of,
                    "projected": bool(known.regime.projection_note(day))}
    return None


def screen(store, products: list[Product], as_of: str, *, screener=None, errors=None, progress=None) -> dict:
    """Verdicts for every product on one date."""
    from tracker.impact.screening import DISCLAIMER

    screener = screener or screener_for(store)
    known = screener.known_on(as_of)
    out = []
    for p in products:
        f, found = screener.matches(p)
        v = screener.verdict(f, found, as_of)
        v["next_change"] = _next_change(known, f, found, as_of, v["verdict"])
        out.append(v)
        if progress:
            progress()
    counts = {k: sum(1 for v in out if v["verdict"] == k) for k in
              ("licence_likely", "review", "not_affected", "insufficient_data")}
    return {"as_of": as_of, "documents_until": screener.regime.horizon,
            "projection": bool(screener.regime.projection_note(as_of)),
            "projection_note": screener.regime.projection_note(as_of), "disclaimer": DISCLAIMER,
            "semantic": "on" if screener.semantic else (getattr(screener, "semantic_note", "") or "off"),
            "counts": counts, "products": out, "errors": [e.as_dict() for e in (errors or [])]}


def verdict_changes(store, products: list[Product], since: str, until: str, *, screener=None) -> dict:
    """Products whose verdict differs between since and until, with the day each change happened."""
    from tracker.impact.screening import DISCLAIMER

    screener = screener or screener_for(store)
    days = [since] + [d for d in screener.regime.change_days() if since < d <= until]
    changes = []
    for p in products:
        f, found = screener.matches(p)
        before = screener.verdict(f, found, since)
        for day in days[1:]:
            now = screener.verdict(f, found, day)
            if now["verdict"] != before["verdict"]:
                changes.append({"sku": p.sku, "name": p.name, "date": day, "from": before["verdict"],
                                "to": now["verdict"], "projected": bool(screener.regime.projection_note(day)),
                                "reasons": [r for r in now["reasons"] if r["applies"]] or now["reasons"][:3]})
            before = now
    changes.sort(key=lambda c: (c["date"], c["sku"]))
    return {"since": since, "until": until, "documents_until": screener.regime.horizon,
            "projection": bool(screener.regime.projection_note(until)), "disclaimer": DISCLAIMER,
            "changes": changes}
