"""Score `tracker impact` against the gold verdicts: `python -m evals.impact.score --home HOME [--json]`.

Per (sku, date): the verdict must equal the gold one, and every notice the gold lists must appear among the
reasons that apply on that date. Prints accuracy overall, per date and per verdict, and each miss."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent


def score(store, catalogue: Path = HERE.parent.parent / "examples" / "catalogue.csv",
          gold_file: Path = HERE / "gold.jsonl") -> dict:
    from tracker.impact import load_catalogue, screen, screener_for

    products, errors = load_catalogue(catalogue)
    gold = [json.loads(line) for line in gold_file.read_text("utf-8").splitlines() if line.strip()]
    screener = screener_for(store)
    by_date: dict[str, dict] = {}
    misses, per_date, per_verdict = [], Counter(), Counter()
    totals_date, totals_verdict = Counter(), Counter()
    for g in gold:
        if g["as_of"] not in by_date:
            result = screen(store, products, g["as_of"], screener=screener)
            by_date[g["as_of"]] = {p["sku"]: p for p in result["products"]}
        got = by_date[g["as_of"]].get(g["sku"])
        applied = {r["notice"] for r in got["reasons"] if r["applies"]} if got else set()
        ok_verdict = got is not None and got["verdict"] == g["verdict"]
        ok_notices = set(g["notices"]) <= applied
        totals_date[g["as_of"]] += 1
        totals_verdict[g["verdict"]] += 1
        if ok_verdict and ok_notices:
            per_date[g["as_of"]] += 1
            per_verdict[g["verdict"]] += 1
        else:
            misses.append({"sku": g["sku"], "as_of": g["as_of"], "expected": g["verdict"],
                           "got": got["verdict"] if got else None, "missing_notices": sorted(set(g["notices"]) - applied),
                           "why": g.get("why", "")})
    n = len(gold)
    return {"cases": n, "verdict_and_notices_correct": round((n - len(misses)) / n, 3) if n else 0.0,
            "verdict_correct": round(sum(1 for g in gold if by_date[g["as_of"]].get(g["sku"], {}).get("verdict")
                                         == g["verdict"]) / n, 3) if n else 0.0,
            "per_date": {d: f"{per_date[d]}/{t}" for d, t in sorted(totals_date.items())},
            "per_verdict": {v: f"{per_verdict[v]}/{t}" for v, t in sorted(totals_verdict.items())},
            "catalogue_errors": [e.as_dict() for e in errors], "misses": misses}


def main() -> int:
    from tracker.config import load_settings
    from tracker.store.repository import Store

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", type=Path, required=True, help="a store crawled across the mirror's dates")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with Store(load_settings({"home": args.home}).home) as store:
        result = score(store)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        return 0
    for m in result["misses"]:
        print(f"MISS {m['as_of']} {m['sku']:<18} expected {m['expected']:<16} got {m['got']!s:<16} "
              f"missing {m['missing_notices']}  | {m['why'][:110]}")
    print(f"verdict+notices {result['verdict_and_notices_correct']}  verdict {result['verdict_correct']}  "
          f"per date {result['per_date']}  per verdict {result['per_verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
