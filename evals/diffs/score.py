"""Score the diff engine against the hand-made change sets in evals/diffs/cases/, and a plain line diff
(difflib) on the same pairs. Precision / recall / F1 of changes by (label, type).

    python -m evals.diffs.score [--embedder minilm] [--json] [--out evals/diffs/results.json]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
import time
from pathlib import Path

from tracker.config import default_corpus, load_settings
from tracker.diff.engine import _item_clause, _meta, compare, diff_versions
from tracker.embeddings import get_embedder
from tracker.mirror.walk import walk
from tracker.store.repository import Store
from tracker.understand import NoticeStructure, from_blocks, understand

CASES = Path(__file__).parent / "cases"


def load_cases(folder: Path = CASES) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) | {"file": p.name} for p in sorted(folder.glob("*.json"))]


def sides(case: dict, store: Store | None) -> tuple[NoticeStructure, NoticeStructure]:
    src = case.get("source", {})
    if case["kind"] == "synthetic":
        return from_blocks("synthetic", case["old"], 1), from_blocks("synthetic", case["new"], 2)
    if case["kind"] == "version":
        return (understand(store, src["notice"], src.get("lang", "zh"), src["from"]),
                understand(store, src["notice"], src.get("lang", "zh"), src["to"]))
    return understand(store, src["a"]), understand(store, src["b"])


def engine(case: dict, a: NoticeStructure, b: NoticeStructure, embedder) -> set[tuple[str, str]]:
    changeset = compare(a, b, embedder) if case["kind"] == "compare" else diff_versions(a, b, embedder)
    return {(c.label, c.type) for c in changeset.changes}, {c.label: c.rank for c in changeset.changes}


def baseline(case: dict, a: NoticeStructure, b: NoticeStructure) -> set[tuple[str, str]]:
    """A plain line diff: lines in document order, replaced lines paired by position."""
    if case["kind"] == "compare":
        from tracker.diff.engine import _distinct

        old = [_item_clause(i) for i in _distinct(a.items)]
        new = [_item_clause(i) for i in _distinct(b.items)]
    else:
        old, new = _meta(a) + list(a.clauses), _meta(b) + list(b.clauses)
    out: set[tuple[str, str]] = set()
    matcher = difflib.SequenceMatcher(None, [c.text for c in old], [c.text for c in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        n = min(i2 - i1, j2 - j1) if op == "replace" else 0
        out |= {(new[j1 + k].label, "modified") for k in range(n)}
        out |= {(old[i].label, "removed") for i in range(i1 + n, i2)}
        out |= {(new[j].label, "added") for j in range(j1 + n, j2)}
    return out


def prf(pred: set, gold: set) -> dict:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else (1.0 if not gold else 0.0)
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "pred": len(pred), "gold": len(gold), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(f, 4)}


def evaluate(embedder_name: str = "minilm", home: Path | None = None) -> dict:
    cases = load_cases()
    with tempfile.TemporaryDirectory() as tmp:
        home = home or Path(tmp)
        if any(c["kind"] != "synthetic" for c in cases) and not (home / "tracker.sqlite3").exists():
            walk(load_settings({"home": home}), default_corpus())
        embedder = get_embedder(embedder_name)
        totals = {"engine": [0, 0, 0], "difflib": [0, 0, 0]}
        rank_ok = rank_n = 0
        rows = []
        with Store(home) as store:
            for case in cases:
                a, b = sides(case, store)
                scope = case.get("scope", "")
                gold = {(e["label"], e["type"]) for e in case["expected"] if e["label"].startswith(scope)}
                started = time.perf_counter()
                pred, ranks = engine(case, a, b, embedder)
                ms = (time.perf_counter() - started) * 1000
                pred = {x for x in pred if x[0].startswith(scope)}
                base = {x for x in baseline(case, a, b) if x[0].startswith(scope)}
                for e in case["expected"]:
                    if "rank" in e and (e["label"], e["type"]) in pred:
                        rank_n += 1
                        rank_ok += ranks.get(e["label"]) == e["rank"]
                row = {"case": case["name"], "kind": case["kind"], "engine": prf(pred, gold),
                       "difflib": prf(base, gold), "ms": round(ms, 1),
                       "missed": sorted(gold - pred), "spurious": sorted(pred - gold)}
                rows.append(row)
                for key in totals:
                    totals[key][0] += row[key]["tp"]
                    totals[key][1] += row[key]["pred"]
                    totals[key][2] += row[key]["gold"]
    summary = {}
    for key, (tp, npred, ngold) in totals.items():
        p, r = tp / npred if npred else 1.0, tp / ngold if ngold else 1.0
        summary[key] = {"precision": round(p, 4), "recall": round(r, 4),
                        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    return {"embedder": embedder_name, "cases": len(rows), "micro": summary,
            "rank_accuracy": round(rank_ok / rank_n, 4) if rank_n else None, "per_case": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = evaluate(args.embedder)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{'case':<34} {'engine F1':>9} {'difflib F1':>10}")
    for row in result["per_case"]:
        print(f"{row['case']:<34} {row['engine']['f1']:>9.3f} {row['difflib']['f1']:>10.3f}")
        for label, kind in row["missed"][:5]:
            print(f"    missed   {kind:<10} {label}")
        for label, kind in row["spurious"][:5]:
            print(f"    spurious {kind:<10} {label}")
    for key, s in result["micro"].items():
        print(f"{key:<8} micro P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}", file=sys.stdout)


if __name__ == "__main__":
    main()
