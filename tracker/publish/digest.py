"""The change digest for a day or a range of days, collected from the store: every fact comes from the stored
documents (their numbers, titles, dates, relations and versions), nothing is held here.

    build_digest(store, since, until) -> dict    (the JSON shape; render.py turns it into md / html / slack)

Sections: notices new in the range, new versions with a short redline excerpt, provisions that entered into
force / were suspended / resumed / expired in the range, provisions whose state will change within 30 days after
the range (a suspension that ends, a provision that takes effect) as far as the documents known on the last day
say, official interpretations that are new or changed, products whose impact verdict changed, bilingual titles
and the source links. A quiet range says so in one line (`quiet_line`).
"""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta
from pathlib import Path

from tracker.changes import transitions_between
from tracker.diff.engine import diff_versions, sort_changes
from tracker.diff.tokens import TOKEN
from tracker.embeddings import Embedder
from tracker.errors import TrackerError
from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.types import Change
from tracker.understand import NoticeStructure, understand, understand_all

UPCOMING_DAYS = 30
EXCERPT_CHANGES = 3  # changes quoted per new version; the rest are counted
CONTEXT = 24  # characters of unchanged text kept around an edit
_PIECES = re.compile(TOKEN.pattern + r"|\s+")


def _day(iso: str, delta: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=delta)).isoformat()


def build_digest(store: Store, since: str, until: str, *, embedder: Embedder | None = None,
                 catalogue: Path | None = None, upcoming_days: int = UPCOMING_DAYS) -> dict:
    """Everything that moved between `since` and `until` (inclusive, YYYY-MM-DD), and what is due next."""
    if until < since:
        raise TrackerError(f"the digest range ends ({until}) before it starts ({since})")
    structures = understand_all(store)
    regime = Regime(structures)
    info = _Info(store)
    first_seen = dict(store.conn.execute("SELECT notice_id, MIN(observed_on) FROM version GROUP BY notice_id")
                      .fetchall())
    notices, interpretations = [], []
    for n in store.notices():
        seen = first_seen.get(n["id"]) or ""
        if not ((n["issued"] and since <= n["issued"] <= until) or since <= seen <= until):
            continue
        st = structures.get(n["id"])
        entry = {**info(n["id"]), "first_seen": seen, "status": "new"}
        if n["kind"] == "interpretation":
            entry["discusses"] = _discussed(st)
            interpretations.append(entry)
        else:
            entry["items"] = len(st.items) if st else 0
            notices.append(entry)
    versions, errors = [], []
    for row in store.conn.execute("SELECT notice_id, lang, seq, observed_on FROM version WHERE seq > 1 AND "
                                  "observed_on BETWEEN ? AND ? ORDER BY observed_on, notice_id, lang DESC",
                                  (since, until)).fetchall():
        try:
            entry = _version(store, info, row["notice_id"], row["lang"], row["seq"], row["observed_on"], embedder)
        except Exception as exc:  # noqa: BLE001 - one version that cannot be compared is listed, the rest goes on
            errors.append({"notice": row["notice_id"], "error": f"{row['lang']} v{row['seq']}: cannot compare with "
                           f"v{row['seq'] - 1} ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"})
            continue
        if entry is None:
            continue
        if entry["kind"] == "interpretation":
            if not any(i["id"] == entry["notice"] for i in interpretations):
                interpretations.append({**info(entry["notice"]), "status": "changed", "version": entry["version"],
                                        "observed_on": entry["observed_on"], "excerpt": entry["excerpt"],
                                        "discusses": _discussed(structures.get(entry["notice"]))})
        else:
            versions.append(entry)
    transitions = [_with_titles(t, info) for t in transitions_between(regime, since, until)]
    known = Regime({k: v for k, v in structures.items() if v.issued and v.issued <= until})
    upcoming = []
    for t in transitions_between(known, _day(until, 1), _day(until, upcoming_days)):
        t = _with_titles(t, info)
        t["in_days"] = (date.fromisoformat(t["date"]) - date.fromisoformat(until)).days
        t["kind"] = "ends" if t["from"] in ("suspended", "in_force") else "starts"
        upcoming.append(t)
    products = screen_changes(store, catalogue, since, until)
    quiet = not (notices or versions or transitions or interpretations or products["changes"])
    span = f"on {since}" if since == until else f"between {since} and {until}"
    return {
        "since": since, "until": until, "documents_until": regime.horizon or None,
        "projection": regime.projection_note(until),
        "stored_notices": len(structures),
        "quiet": quiet,
        "quiet_line": (f"Quiet: nothing was published or changed and no provision changed state {span}."
                       if quiet else ""),
        "notices": notices, "versions": versions, "transitions": transitions, "upcoming": upcoming,
        "upcoming_days": upcoming_days, "interpretations": interpretations, "products": products,
        "errors": errors,
    }


# -- sections ------------------------------------------------------------------------------------------------------
class _Info:
    """Number, bilingual titles, issue date and source links of a notice (cached)."""

    def __init__(self, store: Store) -> None:
        self.store, self.cache = store, {}

    def __call__(self, nid: str) -> dict:
        if nid not in self.cache:
            n = self.store.notice(nid) or {"id": nid, "kind": "notice", "number": "", "title": "", "title_en": "",
                                           "issued": None, "history": [], "urls": []}
            latest: dict[str, str] = {}
            for v in n["history"]:
                latest[v["lang"]] = v["url"]
            links = [{"lang": lang, "url": url} for lang, url in sorted(latest.items(), key=lambda x: x[0] != "zh")]
            links += [{"lang": "", "url": u["url"]} for u in n["urls"]
                      if u["state"] == "ok" and u["url"] not in latest.values()]
            self.cache[nid] = {"id": nid, "kind": n["kind"], "number": n["number"], "title": n["title"],
                               "title_en": n["title_en"], "issued": n["issued"], "links": links}
        return dict(self.cache[nid])


def _discussed(st: NoticeStructure | None) -> list[str]:
    if st is None:
        return []
    return sorted({r.target for r in st.relations if r.kind == "discusses" and r.target})


def _version(store: Store, info: _Info, nid: str, lang: str, seq: int, observed_on: str,
             embedder: Embedder | None) -> dict | None:
    old, new = understand(store, nid, lang, seq - 1), understand(store, nid, lang, seq)
    if old is None or new is None:
        return None
    changeset = diff_versions(old, new, embedder)
    ranked = sort_changes(list(changeset.changes))
    shown = [c for c in ranked if c.rank == "substantive"][:EXCERPT_CHANGES] or ranked[:EXCERPT_CHANGES]
    meta = info(nid)
    return {"notice": nid, "kind": meta["kind"], "number": meta["number"], "title": meta["title"],
            "title_en": meta["title_en"], "lang": lang, "version": seq, "observed_on": observed_on,
            "url": new.url, "links": meta["links"], "summary": changeset.summary,
            "excerpt": [_excerpt(c) for c in shown], "more": len(ranked) - len(shown)}


def _excerpt(c: Change) -> dict:
    return {"label": c.label, "type": c.type, "rank": c.rank, "reasons": list(c.reasons),
            "explanation": {"en": c.explanation_en, "zh": c.explanation_zh},
            "redline": redline(c.old_text, c.new_text), "citation": c.citation}


def redline(old: str, new: str, context: int = CONTEXT, limit: int = 400) -> list[list[str]]:
    """[op, text] runs: "=" unchanged (trimmed to `context` characters around edits), "-" deleted, "+" inserted.
    Runs are cut on CJK-aware tokens, so a customs number or a control code is never split."""
    if not old or not new:
        return [["+" if new else "-", _clip(new or old, limit)]]
    a, b = _PIECES.findall(old), _PIECES.findall(new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    runs: list[list[str]] = []
    dele, ins = "", ""  # the pending edit; a short unchanged run between two edits joins it (no confetti)
    for i, (op, i1, i2, j1, j2) in enumerate(opcodes):
        inner = 0 < i < len(opcodes) - 1
        if op == "equal" and not (inner and len("".join(a[i1:i2]).strip()) <= 3 and (dele or ins)):
            runs += [["-", dele]] * bool(dele) + [["+", ins]] * bool(ins)
            dele, ins = "", ""
            text = "".join(a[i1:i2])
            if len(text) > 2 * context:
                if i == 0:
                    text = "…" + text[-context:]
                elif i == len(opcodes) - 1:
                    text = text[:context] + "…"
                else:
                    text = text[:context] + " … " + text[-context:]
            runs.append(["=", text])
            continue
        dele += "".join(a[i1:i2])
        ins += "".join(b[j1:j2])
    runs += [["-", dele]] * bool(dele) + [["+", ins]] * bool(ins)
    out, used = [], 0
    for op, text in runs:
        if used + len(text) > limit:
            out.append([op, _clip(text, max(limit - used, 8))])
            break
        out.append([op, text])
        used += len(text)
    return out


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_titles(t: dict, info: _Info) -> dict:
    """The notice's number, titles and link, and a link for every notice that decides the state."""
    meta = info(t["notice"])
    sources = []
    for d in t["determined_by"]:
        links = info(d["notice"])["links"]
        sources.append({**d, "number": info(d["notice"])["number"], "url": links[0]["url"] if links else None})
    return {**t, "number": meta["number"], "title": meta["title"], "title_en": meta["title_en"],
            "url": meta["links"][0]["url"] if meta["links"] else None, "determined_by": sources}


# -- products ------------------------------------------------------------------------------------------------------
def screen_changes(store: Store, catalogue: Path | None, since: str, until: str) -> dict:
    """Products whose impact verdict changed in the range (tracker.impact), or why there are none to show."""
    out = {"configured": catalogue is not None, "catalogue": str(catalogue) if catalogue else None, "products": 0,
           "changes": [], "errors": [], "note": ""}
    if catalogue is None:
        out["note"] = "no product catalogue configured (set TRACKER_CATALOGUE or `catalogue` in tracker.toml)"
        return out
    try:
        from tracker.impact import load_catalogue, verdict_changes
    except ImportError:
        out["note"] = "impact screening is not available in this installation (tracker.impact is missing)"
        return out
    try:
        products, errors = load_catalogue(catalogue)
    except TrackerError as exc:
        out["note"] = f"catalogue {catalogue}: {exc.one_line()}"
        return out
    except OSError as exc:
        out["note"] = f"catalogue {catalogue}: cannot read it ({exc.strerror or exc})"
        return out
    out["products"] = len(products)
    out["errors"] = [row_message(e) for e in errors]
    # verdict_changes compares each change day after `since` with the day before: start the day before the range
    # so that a change on its first day counts
    data = verdict_changes(store, products, _day(since, -1), until)
    out["changes"] = [c for c in data.get("changes", []) if since <= c["date"] <= until]
    return out


def row_message(error) -> str:
    """The one-line message of a catalogue row error (an object with .message, or a dict)."""
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(getattr(error, "message", None) or error)
