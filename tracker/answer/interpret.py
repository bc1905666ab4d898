"""Official interpretations beside the notices: what they say still
applies when a notice does not, and where an interpretation and a notice seem to disagree."""

from __future__ import annotations

import re

from tracker.answer.coverage import concepts, coverage, held
from tracker.answer.evidence import Pick
from tracker.answer.facts import STATUS, Sentences
from tracker.index.lexical import tokenize
from tracker.index.search import Mentions, mentions
from tracker.structure.glossary import expand_en

EXCLUDED = re.compile(r"一般不属于|不属于[^。；]{0,30}管制范围|不在[^。；]{0,12}管制范围|generally (?:fall |falls |are |is )?"
                      r"outside|(?:fall|falls|are|is) (?:generally )?outside|not (?:generally )?(?:subject to|covered by)",
                      re.I)


class Interpreted:
    """Mixed into the Composer (needs facts, interpretations, retriever_chunks, as_of, select, _lapsed)."""

    def _still_applies(self, question: str, notices: list[str], dates: list[str], found: Mentions, lang: str,
                       picks: list[Pick]) -> list[Pick]:
        """A named notice does not apply on the date: the notices that official interpretations of it point to
        (in the same passage) and that are in force then, each with its best passage and the passage linking
        them, so the answer can say what still applies."""
        day = max(dates)
        out: list[Pick] = []
        have: set[tuple[str, str]] = set()
        by_key = {c.key: c for c in self.retriever_chunks}
        for nid in [n for n in notices if self._lapsed(n, day)]:
            acting = {src.notice for src, _ in self.facts.regime.inbound.get(nid, [])}  # e.g. the suspension itself
            links: dict[str, tuple] = {}
            for interp, _ in self.facts.regime.interpretations_of(nid, day):  # oldest first: the newest wins
                for clause in interp.clauses:
                    named = mentions(clause.text, self.facts.store_notices).notices
                    for other in named if nid in named else ():
                        st = self.facts.regime.structures.get(other)
                        if other in notices or other in acting or st is None or not st.issued or st.issued > day \
                                or self._lapsed(other, day):
                            continue
                        links[other] = (interp, clause)
            for other, (interp, clause) in links.items():
                link = by_key.get(f"{interp.notice}:{lang}:{clause.label}") or \
                    by_key.get(f"{interp.notice}:{interp.lang}:{clause.label}")
                best = self._entries(question, other, clause.text) or \
                    self.select(question, [], [other], found, lang, 1)
                if not best:
                    continue
                for p in ([Pick(coverage(question, link.text), link, clause.label, link.body)] if link else []) + best:
                    if (p.chunk.key, p.label) not in have:
                        out.append(p)
                        have.add((p.chunk.key, p.label))
        return out[:5]

    def _entries(self, question: str, nid: str, link: str) -> list[Pick]:
        """The annex rows of a notice that hold what the question and the passage pointing to the notice both
        speak of (稀土, 技术; NdFeB, 制备): what it lists is what still applies. Up to three, best first."""
        shared = held(question, link) if link else set(range(len(concepts(question))))
        weights = [w for _, w in concepts(question)]
        rows = []
        for chunk in self.retriever_chunks:
            if chunk.notice != nid or chunk.kind != "annex_rows":
                continue
            for label, row in zip(chunk.labels, chunk.body.split("\n"), strict=False):
                score = sum(weights[i] for i in held(question, row) & shared)
                if score:
                    rows.append((score, coverage(question, row), label, row, chunk))
        rows.sort(key=lambda r: (-r[0], -r[1]))
        return [Pick(cov, chunk, label, row) for _, cov, label, row, chunk in rows[:3]]

    def _disagreements(self, out: Sentences, question: str, picks: list[Pick]) -> None:
        """An official interpretation quoted here says a product class is (generally) outside a notice, while a
        notice lists something of that class: say that they seem to disagree, citing both."""
        asked = question if re.search(r"[\u4e00-\u9fff]", question) else question + " " + expand_en(question)
        asked_words = {w for w in tokenize(asked) if len(w) > 1}
        for p in picks:
            if p.chunk.notice not in self.interpretations:
                continue
            for sentence in re.split(r"(?<=[。；;])|(?<=\.)\s+", p.chunk.body):
                m = EXCLUDED.search(sentence)
                if not m:
                    continue
                subject = re.sub(r"^(?:答：|A:\s*|[一二三四五六七八九十]+、)", "", sentence[: m.start()])
                subject = re.split(r"属于|，|,|\s(?:are|is)\s", subject)[0].strip()  # what the sentence is about
                outside_of = [n for n in mentions(sentence, self.facts.store_notices).notices
                              if n in self.facts.regime.structures]
                every = [w for w in tokenize(subject) if len(w) > 1]
                for part in [x for x in re.split(r"[、，,及和与]|\band\b|\bor\b", subject) if x.strip()]:
                    words = [w for w in tokenize(part) if len(w) > 1]
                    if not words or not (set(words) & asked_words or part.strip() in question):
                        continue
                    # 定子组件: the head noun (组件) and one more word of the subject (稀土); 荧光粉: the word alone
                    rest = [w for w in every if w != words[-1]] if len(words) > 1 else []
                    hit = self._listed(words[-1], rest, outside_of)
                    if hit is None:
                        continue
                    part = subject
                    nid, label, text = hit
                    i, j = out.cite(p.chunk.notice, p.label, p.chunk.key), out.cite(nid, label)
                    other = self.facts.name(nid, out.lang)
                    where_ = "、".join(self.facts.name(n, out.lang) for n in outside_of) if out.lang == "zh" else \
                        " and ".join(self.facts.name(n, out.lang) for n in outside_of)
                    state = self._state(nid, self.as_of, out.lang)
                    if out.lang == "en":
                        out.add(f"Note: the official interpretation says “{part.strip()}” generally falls outside "
                                f"{where_ or 'the controls it discusses'}, while {other} lists “{text}”"
                                + (f" (on {self.as_of} that notice is {state})" if state else "")
                                + "; the two seem to disagree, and only the notice is the legal text.", [i, j])
                    else:
                        out.add(f"注意：官方解读称“{part.strip()}”一般不属于{where_ or '相关公告'}管制范围，但{other}"
                                f"列有“{text}”" + (f"（截至{self.as_of}该公告{state}）" if state else "")
                                + "，两者似有出入，应以公告（法律文本）为准。", [i, j])
                    break  # one note per sentence of the interpretation

    def _state(self, nid: str, day: str, lang: str) -> str:
        states = [st for p in self.facts.regime.provisions(nid) if (st := self.facts.regime.state(p, day))]
        whole = next((st for st in states if st.provision == "*"), states[0] if states else None)
        return STATUS[lang][whole.status] if whole else ""

    def _listed(self, head: str, rest: list[str], outside_of: list[str]) -> tuple[str, str, str] | None:
        """A clause or annex row of a notice issued by the as-of date that names the phrase's head noun and at least
        one more word of the subject (组件 + 稀土; 荧光粉 alone when it is all there is)."""
        best = None
        for nid, st in self.facts.regime.structures.items():
            if not st.issued or st.issued > self.as_of:
                continue
            for c in st.clauses:
                if c.kind not in ("clause", "annex_row") or head not in c.text:
                    continue
                if rest and not any(w in c.text for w in rest):
                    continue
                if re.search(EXCLUDED.pattern, c.text):
                    continue  # a notice excluding it too is agreement, not disagreement
                score = (nid not in outside_of, c.kind == "annex_row", -len(c.text))
                if best is None or score > best[0]:
                    best = (score, (nid, c.label, " ".join(c.text.split())[:160]))
        return best[1] if best else None
