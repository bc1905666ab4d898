"""ask(question, as_of) -> Answer. Retrieval, the answerer (offline by default, an LLM when configured), the
date(s) the answer is for, an audit row for every answer. Heavy parts are loaded once per Asker."""

from __future__ import annotations

import re
import time
from datetime import date

from tracker.answer.compose import Composer
from tracker.answer.coverage import set_idf
from tracker.answer.dates import dates_in_question
from tracker.answer.facts import Facts
from tracker.config import Settings
from tracker.embeddings import get_embedder
from tracker.errors import TrackerError
from tracker.index.search import Retriever, mentions
from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.types import Answer
from tracker.understand import understand_all

MAX_QUESTION = 2000
REFUSAL = {"en": "I cannot answer this from the notices in the store.", "zh": "根据库中的公告，无法回答该问题。"}


def question_lang(question: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", question))
    return "zh" if cjk >= 2 and cjk * 2 >= len(re.findall(r"[A-Za-z]", question)) / 3 else "en"


class Asker:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.embedder = get_embedder(settings.embedder)
        self.regime = Regime(understand_all(store))
        self.retriever = Retriever(store, self.embedder)
        if not len(self.retriever):
            raise TrackerError("the search index is empty: run `tracker index` (or `tracker crawl`) first")
        self.facts = Facts(store, self.regime)
        self.composer = Composer(self.facts, self.embedder, self.retriever.chunks)
        set_idf(self.retriever.lexical)
        self.llm = None
        if settings.llm:
            from tracker.answer.llm import LLMAnswerer

            key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
            self.llm = LLMAnswerer(settings.llm, settings.llm_base_url, key, timeout=settings.timeout,
                                   max_retries=settings.retries)

    def ask(self, question: str, as_of: str | None = None, k: int = 8) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise TrackerError("the question is empty")
        if len(question) > MAX_QUESTION:
            raise TrackerError(f"the question is {len(question)} characters; the limit is {MAX_QUESTION}")
        lang = question_lang(question)
        named = dates_in_question(question)
        dates = [as_of] if as_of else (named or [date.today().isoformat()])
        found = mentions(question, self.retriever.notices)
        wide = self.retriever.search(question, max(dates), 2 * k, found)
        hits = wide[:k]
        # Official interpretations a little further down are evidence too (the answerer weighs them).
        evidence = hits + [h for h in wide[k:] if h.chunk.notice in self.facts.regime.interpretations]
        if self.llm is not None:
            facts = self.composer.compose(question, dates, lang, evidence, found, bool(named))
            answer = self.llm.answer(question, max(dates), lang, evidence, [t for t, _ in facts.items],
                                     frozenset(self.facts.regime.interpretations))
            answer = Answer(**{**answer.__dict__, "as_of": tuple(dates)})
        else:
            out = self.composer.compose(question, dates, lang, evidence, found, bool(named))
            cannot = not out.items
            dated = any(d in t for t, _ in out.items for d in dates)  # status sentences name their date
            prefix = "" if dated else (f"As of {', '.join(dates)}: " if lang == "en" else f"截至{'、'.join(dates)}：")
            text = REFUSAL[lang] if cannot else prefix + out.text()
            answer = Answer(question, tuple(dates), text, cannot, () if cannot else tuple(out.citations),
                            tuple((h.chunk.key, h.score) for h in hits), 0.0, "offline", "", lang)
        latency = round((time.perf_counter() - started) * 1000, 2)
        answer = Answer(**{**answer.__dict__, "latency_ms": latency})
        self.store.audit("ask", {"question": question, "as_of": list(dates)},
                         {"retrieved": [{"key": k_, "score": s} for k_, s in answer.retrieved],
                          "citations": [c.as_dict() for c in answer.citations], "cannot_answer": answer.cannot_answer},
                         f"{answer.answerer}{'/' + answer.prompt_version if answer.prompt_version else ''}", latency)
        return answer
