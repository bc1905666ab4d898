"""What changed in the regime between two dates: notices published, versions seen, items added or removed,
provisions that entered into force, were suspended, resumed, expired or were repealed."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.diff.engine import diff_versions
from tracker.embeddings import Embedder
from tracker.regime import Regime, _label_key
from tracker.store.repository import Store
from tracker.understand import understand

EVENT = {("in_force", None): "entered into force", ("in_force", "not_yet_effective"): "entered into force",
         ("suspended", None): "suspended", ("suspended", "in_force"): "suspended",
         ("suspended", "not_yet_effective"): "suspended before taking effect",
         ("in_force", "suspended"): "resumed", ("not_yet_effective", "suspended"): "suspension ended",
         ("in_force_first", "suspended"): "takes effect after the suspension",
         ("expired", None): "expired", ("expired", "in_force"): "expired", ("repealed", None): "repealed",
         ("not_yet_effective", None): "published, not yet effective"}


def _before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def regime_changes(store: Store, regime: Regime, since: str, until: str, embedder: Embedder | None) -> dict:
    published = []
    items_added, items_removed = [], []
    for st in regime.structures.values():
        if st.issued and since <= st.issued <= until:
            published.append({"notice": st.notice, "number": st.number, "title": st.title or st.title_en,
                              "issued": st.issued, "url": st.url, "items": len(st.items)})
            items_added += [{"notice": st.notice, "code": i.code, "name": i.name, "elements": list(i.elements),
                             "label": i.label, "why": "published"} for i in st.items if i.label.startswith("annex")
                            or not any(j.label.startswith("annex") for j in st.items)]
    versions = []
    rows = store.conn.execute("SELECT notice_id, lang, seq, observed_on FROM version WHERE seq > 1 AND observed_on "
                              "BETWEEN ? AND ? ORDER BY observed_on, notice_id, lang", (since, until)).fetchall()
    for row in rows:
        old = understand(store, row["notice_id"], row["lang"], row["seq"] - 1)
        new = understand(store, row["notice_id"], row["lang"], row["seq"])
        changeset = diff_versions(old, new, embedder)
        versions.append({"notice": row["notice_id"], "lang": row["lang"], "version": row["seq"],
                         "observed_on": row["observed_on"], "summary": changeset.summary,
                         "changes": [{"label": c.label, "type": c.type, "rank": c.rank,
                                      "explanation": {"en": c.explanation_en, "zh": c.explanation_zh},
                                      "citation": c.citation} for c in changeset.changes]})
        if row["lang"] == "zh":
            for c in changeset.changes:
                if c.label.startswith("annex") and "." in c.label and c.type in ("added", "removed"):
                    entry = {"notice": row["notice_id"], "label": c.label, "text": c.new_text or c.old_text,
                             "why": f"version {row['seq']}"}
                    (items_added if c.type == "added" else items_removed).append(entry)
    transitions = transitions_between(regime, since, until)
    return {"since": since, "until": until, "documents_until": regime.horizon,
            "projection": regime.projection_note(until), "published": sorted(published, key=lambda p: p["issued"]),
            "versions": versions, "items_added": items_added, "items_removed": items_removed,
            "transitions": transitions}


def transitions_between(regime: Regime, since: str, until: str) -> list[dict]:
    """Provisions whose state differs from the day before: on each day in [since, until] on which any state may
    change (issue, effective and relation dates), as decided by the documents issued by that day."""
    out = []
    days = [d for d in regime.change_days() if since <= d <= until]
    before = _before(since)
    for nid in regime.structures:
        for provision in regime.provisions(nid):
            prev = regime.state(provision, before)
            for day in days:
                cur = regime.state(provision, day)
                if cur is None:
                    continue
                was = prev.status if prev else None
                if cur.status != was:
                    key = ("in_force_first", was) if "never taken effect" in cur.note else (cur.status, was)
                    out.append({"date": day, "notice": nid, "provision": provision.label,
                                "summary": provision.summary[:120], "from": was, "to": cur.status,
                                "event": EVENT.get(key, f"{was} -> {cur.status}"),
                                "was_until": prev.until if prev else None,
                                "ambiguous": cur.ambiguous or bool(prev and prev.ambiguous),
                                "projected": bool(regime.projection_note(day)), "note": cur.note,
                                "determined_by": cur.determined_by})
                prev = cur
    return sorted(out, key=lambda t: (t["date"], t["notice"], _label_key(t["provision"])))

