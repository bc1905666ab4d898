"""`tracker eval`: the question suite against tracker and against a plain langchain baseline
(RecursiveCharacterTextSplitter + FAISS + the same embedding model, the top-4 chunks as the answer).

Metrics, overall and split by language: recall@5 of supporting clauses, MRR, key-fact accuracy (every key fact
in the answer), citation precision (cited notices among the supporting notices), correct refusals, p50/p95
latency."""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
import warnings
from pathlib import Path

from tracker.answer.ask import Asker
from tracker.config import Settings
from tracker.store.repository import Store


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def load_suite(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1)


def _support_rank(retrieved_labels: list[tuple[str, tuple[str, ...]]], support: list[dict]) -> tuple[float, float]:
    """(recall@5, reciprocal rank) of the supporting (notice, label) pairs among retrieved chunks."""
    if not support:
        return 1.0, 1.0
    hit_ranks = []
    found = 0
    for s in support:
        ranks = [i for i, (notice, labels) in enumerate(retrieved_labels, 1)
                 if notice == s["notice"] and any(lab == s["label"] or lab.startswith(s["label"] + ".")
                                                  or s["label"].startswith(lab + ".") for lab in labels)]
        if ranks and ranks[0] <= 5:
            found += 1
        if ranks:
            hit_ranks.append(ranks[0])
    return found / len(support), (1 / min(hit_ranks) if hit_ranks else 0.0)


def score(rows: list[dict]) -> dict:
    def block(subset: list[dict]) -> dict:
        answerable = [r for r in subset if r["answerable"]]
        refusals = [r for r in subset if not r["answerable"]]
        cited = [c for r in answerable for c in r["cited_ok"]]
        lenient = [c for r in answerable for c in r.get("cited_ok_lenient", r["cited_ok"])]
        return {
            "questions": len(subset),
            "recall_at_5": round(statistics.mean([r["recall5"] for r in answerable]), 4) if answerable else None,
            "mrr": round(statistics.mean([r["rr"] for r in answerable]), 4) if answerable else None,
            "key_fact_accuracy": round(sum(r["facts_ok"] for r in answerable) / len(answerable), 4) if answerable
            else None,
            "citation_precision": round(sum(cited) / len(cited), 4) if cited else None,
            # an official interpretation cited for a supporting notice it discusses counts as support here
            "citation_precision_with_interpretations": round(sum(lenient) / len(lenient), 4) if lenient else None,
            "interpretation_citations": sum(r.get("interpretation_citations", 0) for r in answerable),
            "correct_refusals": f"{sum(r['refused'] for r in refusals)}/{len(refusals)}",
            "false_refusals": f"{sum(r['refused'] for r in answerable)}/{len(answerable)}",
            "latency_ms_p50": _pct([r["ms"] for r in subset], 0.5),
            "latency_ms_p95": _pct([r["ms"] for r in subset], 0.95),
        }

    return {"all": block(rows), "en": block([r for r in rows if r["lang"] == "en"]),
            "zh": block([r for r in rows if r["lang"] == "zh"])}


def _row(q: dict, answer_text: str, refused: bool, cited: list[str], retrieved, ms: float,
         discusses: dict[str, set[str]] | None = None) -> dict:
    """`discusses`: official interpretation id -> the notices it discusses."""
    text = norm(answer_text)
    support_notices = {s["notice"] for s in q.get("support", [])}
    discusses = discusses or {}
    recall5, rr = _support_rank(retrieved, q.get("support", []))
    facts_ok = (not refused) and all(norm(f) in text for f in q.get("key_facts", []))
    return {"id": q["id"], "lang": q["lang"], "type": q.get("type", ""), "answerable": q.get("answerable", True),
            "refused": refused, "facts_ok": facts_ok, "recall5": recall5, "rr": rr,
            "cited_ok": [c in support_notices for c in cited], "cited": list(cited), "ms": ms,
            "cited_ok_lenient": [c in support_notices or bool(discusses.get(c, set()) & support_notices) for c in cited],
            "interpretation_citations": sum(1 for c in cited if c in discusses),
            "missing": [f for f in q.get("key_facts", []) if norm(f) not in text]}


def run_tracker(settings: Settings, store: Store, suite: list[dict]) -> list[dict]:
    asker = Asker(settings, store)
    asker.ask("warm up", None)
    discusses = _discusses(store)
    rows = []
    for q in suite:
        answer = asker.ask(q["question"], q.get("as_of"))
        retrieved = []
        by_key = {c.key: c for c in asker.retriever.chunks}
        for key, _ in answer.retrieved:
            chunk = by_key[key]
            retrieved.append((chunk.notice, chunk.labels))
        rows.append(_row(q, answer.answer, answer.cannot_answer, [c.notice for c in answer.citations], retrieved,
                         answer.latency_ms, discusses) | {"answer": answer.answer})
    return rows


def _discusses(store: Store) -> dict[str, set[str]]:
    """Official interpretation id -> the notices it discusses."""
    from tracker.understand import understand

    out = {}
    for n in store.notices("interpretation"):
        st = understand(store, n["id"], "zh" if "zh" in n["languages"] else "en")
        out[n["id"]] = {r.target for r in st.relations if r.target} if st else set()
    return out


class _Embeddings:
    """Our embedder seen as langchain Embeddings, so the baseline uses the same model."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts):
        return self.embedder.encode(list(texts)).tolist()

    def embed_query(self, text):
        return self.embedder.encode([text])[0].tolist()


def run_baseline(store: Store, embedder, suite: list[dict]) -> list[dict]:
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.vectorstores import FAISS

    class Adapter(_Embeddings, Embeddings):
        pass

    docs = []
    for notice in store.notices():
        for lang in notice["languages"]:
            page = store.version_page(notice["id"], lang)
            text = "\n".join(f"{b.marker}{b.text}" for b in page.blocks)
            docs.append(Document(page_content=f"{page.title}\n{text}", metadata={"notice": notice["id"]}))
        for v in store.notice(notice["id"])["history"][-1:]:
            for a in v["annexes"]:
                parsed = store.annex_parse(a["sha256"])
                if parsed and parsed[1]:
                    docs.append(Document(page_content="\n".join(p.text for p in parsed[1].pages),
                                         metadata={"notice": notice["id"]}))
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    chunks = splitter.split_documents(docs)
    vectors = FAISS.from_documents(chunks, Adapter(embedder))
    rows = []
    discusses = _discusses(store)
    clause_text = {}
    for q in suite:
        for s in q.get("support", []):
            clause_text[(s["notice"], s["label"])] = _support_text(store, s)
    for q in suite:
        started = time.perf_counter()
        top = vectors.similarity_search(q["question"], k=5)
        ms = (time.perf_counter() - started) * 1000
        answer = "\n".join(d.page_content for d in top[:4])
        retrieved = [(d.metadata["notice"], tuple(s["label"] for s in q.get("support", [])
                                                  if s["notice"] == d.metadata["notice"]
                                                  and clause_text.get((s["notice"], s["label"]), "\0")[:24]
                                                  in d.page_content)) for d in top]
        rows.append(_row(q, answer, False, [d.metadata["notice"] for d in top[:4]], retrieved, round(ms, 2),
                         discusses))
    return rows


def _support_text(store: Store, support: dict) -> str:
    from tracker.understand import understand

    st = understand(store, support["notice"], "zh") or understand(store, support["notice"], "en")
    clause = st.clause(support["label"]) if st else None
    return clause.text if clause else "\0"


def evaluate(settings: Settings, suite_path: Path, baseline: bool = True) -> dict:
    suite = load_suite(suite_path)
    with Store(settings.home) as store:
        from tracker.index.build import ensure_index

        asker_embedder = __import__("tracker.embeddings", fromlist=["get_embedder"]).get_embedder(settings.embedder)
        ensure_index(store, asker_embedder)
        rows = run_tracker(settings, store, suite)
        result = {"suite": str(suite_path), "embedder": settings.embedder, "tracker": score(rows),
                  "failures": [{"id": r["id"], "missing": r["missing"], "refused": r["refused"],
                                "answer": r["answer"][:300]} for r in rows
                               if (r["answerable"] and not r["facts_ok"]) or (not r["answerable"] and not r["refused"])],
                  "unsupported_citations": [{"id": r["id"], "notices": sorted({c for c, ok in zip(r["cited"],
                                                                                          r["cited_ok"]) if not ok})}
                                            for r in rows if r["answerable"] and not all(r["cited_ok"])]}
        if baseline:
            result["baseline"] = score(run_baseline(store, asker_embedder, suite))
    return result
