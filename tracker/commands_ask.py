"""The index, ask and eval commands, and how answers are printed (split from tracker.commands)."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.commands import _console, _embedder, _iso, _store
from tracker.config import Settings
from tracker.errors import TrackerError


# -- index / ask -------------------------------------------------------------------------------------------------
def index(settings: Settings) -> dict:
    from tracker.index.build import build_index

    with _store(settings) as store:
        stats = build_index(store, _embedder(settings))
    return stats.__dict__


def print_index(stats: dict) -> None:
    _console().print(f"indexed {stats['chunks']} chunks with {stats['model']}: {stats['embedded']} embedded now "
                     f"({stats['embed_seconds']:.1f}s), the rest from the cache; {stats['seconds']:.1f}s in all")


def ask(settings: Settings, question: str | None, as_of: str | None, batch: Path | None, as_json: bool) -> int:
    import json

    from tracker.answer.ask import Asker
    from tracker.index.build import ensure_index

    if (question is None) == (batch is None):
        raise TrackerError("give a question, or --batch FILE (not both)")
    day = _iso(as_of, "--as-of") if as_of else None
    items: list[tuple[int, str, str | None]] = []
    if batch is not None:
        try:
            lines = batch.read_text("utf-8").splitlines()
        except OSError as exc:
            raise TrackerError(f"cannot read {batch}: {exc.strerror}") from exc
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
                items.append((n, "", f'!{batch}:{n}: expected a JSON object like {{"question": "...", '
                                     f'"as_of": "YYYY-MM-DD"}}'))
                continue
            items.append((n, obj["question"], obj.get("as_of") or day))
        if not items:
            raise TrackerError(f"{batch}: no questions in the file")
    else:
        items.append((0, question, day))
    failed = 0
    with _store(settings) as store:
        embedder = _embedder(settings)
        from tracker.index.build import index_is_current

        if not index_is_current(store, embedder.name):
            print(f"building the search index with {embedder.name} (only new or changed text is embedded; the "
                  f"first time takes a few minutes)...", file=sys.stderr)
        stats = ensure_index(store, embedder)
        if stats is not None:
            print(f"index refreshed: {stats.chunks} chunks, {stats.embedded} embedded", file=sys.stderr)
        asker = Asker(settings, store)
        for n, q, d in items:
            if d and d.startswith("!"):
                failed += 1
                print(f"tracker: error: {d[1:]}", file=sys.stderr)
                if as_json:
                    print(json.dumps({"line": n, "error": d[1:]}, ensure_ascii=False))
                continue
            try:
                answer = asker.ask(q, _iso(d, "as_of") if d else None)
            except TrackerError as exc:
                failed += 1
                where_ = f"{batch}:{n}: " if batch is not None else ""
                print(f"tracker: error: {where_}{exc.one_line()}", file=sys.stderr)
                if as_json and batch is not None:
                    print(json.dumps({"line": n, "question": q, "error": exc.one_line()}, ensure_ascii=False))
                continue
            if as_json:
                print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=None if batch else 2))
            else:
                print_answer(answer.as_dict())
    return 1 if failed else 0


def print_answer(data: dict) -> None:
    out = _console()
    out.print(f"[bold]Q:[/bold] {data['question']}", markup=True, highlight=False)
    out.print(data["answer"], markup=False)
    for i, c in enumerate(data["citations"], 1):
        out.print(f"  [{i}] {c['notice']} {c['label']}  {c['url']}", markup=False)
        out.print(f"      “{c['quote'][:120]}”", markup=False)
    out.print(f"  ({data['answerer']}, {data['latency_ms']:.0f} ms)\n")


def evaluate(settings: Settings, suite: Path | None, baseline: bool) -> dict:
    from tracker.config import PACKAGE_DIR
    from tracker.evaluation import evaluate as run

    path = suite or PACKAGE_DIR.parent / "evals" / "questions.jsonl"
    if not path.exists():
        raise TrackerError(f"no question suite at {path}; pass --suite FILE")
    _store(settings).close()
    return run(settings, path, baseline)


def print_eval(result: dict) -> None:
    out = _console()
    for system in ("tracker", "baseline"):
        if system not in result:
            continue
        out.print(f"[bold]{system}[/bold] ({result['embedder']})")
        for split in ("all", "en", "zh"):
            m = result[system][split]
            extra = (f" ({m['citation_precision_with_interpretations']} counting interpretations of supporting "
                     f"notices; {m['interpretation_citations']} interpretation citations)"
                     if m.get("interpretation_citations") else "")
            out.print(f"  {split:<3} n={m['questions']:<3} recall@5 {m['recall_at_5']}  MRR {m['mrr']}  key facts "
                      f"{m['key_fact_accuracy']}  citation precision {m['citation_precision']}{extra}  refusals "
                      f"{m['correct_refusals']} (false {m['false_refusals']})  p50 {m['latency_ms_p50']} ms  "
                      f"p95 {m['latency_ms_p95']} ms")
    for f in result.get("failures", [])[:60]:
        out.print(f"  ✗ {f['id']} missing {f['missing']} refused={f['refused']}: {f['answer'][:160]}", markup=False)
