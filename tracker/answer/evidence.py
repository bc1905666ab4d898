"""Evidence: the passages an answer quotes, chosen by how well they hold the question's words and what it asks for
(an article, a date, a quantity), each quoted and cited; official interpretations are quoted beside the law only
when they hold what the notices do not say, and always labelled as such."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.answer.coverage import _best_sentence, coverage, novelty
from tracker.answer.facts import Sentences
from tracker.diff.explain import where
from tracker.index.chunks import Chunk
from tracker.index.search import Hit, Mentions
from tracker.structure.glossary import gloss

WEAK = 0.5  # IDF-weighted share of the question's words a passage must hold to be quoted
NAMED = 0.2  # lower bar inside the notices a question names
LABEL = {"en": "official interpretation (not the legal text)", "zh": "官方解读（非法律文本）"}
INTERPRETATION = re.compile(r"答问|答记者问|发言人|常见问题|问答|官方解读|解读|spokes|Q&A|\bFAQs?\b|press conference|remarks|"
                            r"official interpretation|reporters'? questions", re.I)
# What MOFCOM said or explained (its remarks may hold it as well as its notices).
SAID = re.compile(r"\b(?:MOFCOM|ministry|commerce)\b.{0,12}\b(?:say|said|says|explain\w*|clarif\w*|comment\w*|"
                  r"state[sd]?|confirm\w*)\b|商务部.{0,6}(?:表示|说明|解释|称|回应|确认)", re.I)


@dataclass(frozen=True)
class Pick:
    cov: float
    chunk: Chunk
    label: str
    sentence: str
    held: bool = False  # holds what the question asks for (an article, a quantity to compare)


# What a question asks for, how a passage that holds it looks, and how much that raises the passage's rank.
ANSWER_TYPES = {
    "article": (re.compile(r"which (?:articles?|provisions?|laws?|regulations?|legal)|what (?:articles?|legal)|"
                           r"legal (?:basis|provisions?)|哪一?条|哪些条|哪条|依据.{0,6}(?:哪|什么)|法律依据", re.I),
                re.compile(r"第[一二三四五六七八九十百零〇\d]+条|\bArticles? \d+", re.I), 0.4),
    "date": (re.compile(r"\bwhen\b|what date|which date|何时|什么时候|哪天|哪一天|起止", re.I),
             re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|(?:January|February|March|April|May|June|July|"
                        r"August|September|October|November|December) \d{1,2}, \d{4}|公布之日|date of (?:its )?"
                        r"publication"), 0.2),
    "quantity": (re.compile(r"how (?:much|many)|threshold|what (?:share|percentage|value)|多少|比例|阈值", re.I),
                 re.compile(r"\d(?:\.\d+)?\s*(?:%|％|Wh|mAh|g/cm|nm|纳米|层|微米|毫米|GPa|MPa)"), 0.2),
}
SAME_QUESTION = 0.7  # an official Q&A whose question holds this much of the user's question answers it
NOVEL = 0.3  # share of the question an interpretation must hold that no quoted notice passage does
EXPLAINS = 0.25  # how much better an interpretation must fit than the best legal passage to be quoted beside it
OUTSIDE = 0.8  # a passage of a notice the question does not name is quoted only when it fits this well


class Evidence:
    """Mixed into the Composer (needs facts, interpretations, retriever_chunks, as_of)."""

    def select(self, question: str, hits: list[Hit], notices: list[str], found: Mentions, lang: str,
               limit: int, beyond: bool = False, referring: set[str] = frozenset()) -> list[Pick]:
        """The passages that hold the question's terms best: among the retrieved chunks, and among every chunk of
        the notices the question names. A passage holding what the question asks for (an article number, a date,
        a quantity) ranks higher; a notice that only refers to controls another notice defined (`referring`) ranks
        lower than the one that defines them. `beyond`: a named notice does not apply on the date asked, so a passage of
        another notice that fits very well is quoted too (what else may still apply)."""
        allowed = set(notices) | {i.notice for n in notices for i, _ in self.facts.regime.interpretations_of(
            n, self.as_of)}  # what a named notice says, and what official interpretations say about it
        pool = {h.chunk.key: (h.chunk, h.score) for h in hits}
        if notices:
            for chunk in self.retriever_chunks:
                if chunk.notice in allowed and chunk.key not in pool and chunk.kind != "title":
                    pool[chunk.key] = (chunk, 0.0)
        must = [n.lower() for n in found.numbers + found.codes + found.customs] + _quoted(question)
        about_interpretation = bool(INTERPRETATION.search(question))
        # A quantity in the question (2% of the value) is compared with the one a passage states (0.1%).
        units = {re.sub(r"^[\d.]+", "", n).lower() for n in found.numbers}
        stated = [re.compile(r"\d(?:\.\d+)?\s*" + re.escape(u), re.I) for u in units if u]
        wanted = _answer_types(question)
        scored = []
        for chunk, score in pool.values():
            if chunk.kind == "title":
                continue
            if chunk.issued and chunk.issued > self.as_of:
                continue
            text = chunk.text.lower()
            same = bool(re.search(r"[\u4e00-\u9fff]", question)) == (chunk.lang == "zh")
            cov = coverage(question, chunk.text if same else chunk.body)
            cov += sum(0.25 for m in must if m in text.replace(" ", ""))
            if notices and chunk.notice not in allowed and (not beyond or cov < OUTSIDE):
                continue
            bonus = sum(ANSWER_TYPES[kind][2] for kind in wanted if ANSWER_TYPES[kind][1].search(chunk.body))
            bonus += 0.2 if any(rx.search(chunk.body) for rx in stated) else 0.0
            if chunk.notice in self.interpretations:
                bonus += 0.3 if about_interpretation else -0.05  # the legal text first, unless asked otherwise
            if chunk.notice in referring and chunk.notice not in notices:
                bonus -= 0.2
            scored.append((cov + score * 3 + bonus, cov, chunk, max(bonus, 0.0)))
        has_lang = {c.notice for _, _, c, _ in scored if c.lang == lang}
        scored = [x for x in scored if x[2].lang == lang or x[2].notice not in has_lang
                  or x[2].kind in ("annex_rows", "annex_para")]  # quote the question's language where it exists
        scored.sort(key=lambda x: -x[0])
        legal = self._pick([x for x in scored if x[2].notice not in self.interpretations], question, notices, lang,
                           limit)
        explained = self._pick([x for x in scored if x[2].notice in self.interpretations], question, notices, lang,
                               limit if about_interpretation else 1)
        said = bool(SAID.search(question))
        if about_interpretation or (said and explained):  # what MOFCOM said: its interpretations first
            return (explained + [p for p in legal if p.cov >= WEAK])[:limit + 1]
        best_legal = max((p.cov for p in legal), default=0.0)
        # An interpretation is quoted beside the law when it fits clearly better, when an official Q&A asks this
        # very question, or when it holds what the question asks and the quoted notices do not say.
        explained = [p for p in explained
                     if p.cov >= max(WEAK, best_legal + EXPLAINS)
                     or coverage(question, _asked(p.chunk)) >= SAME_QUESTION
                     or novelty(question, _asked(p.chunk) + p.chunk.body, [q.chunk.text for q in legal]) >= NOVEL]
        if explained:  # beside an interpretation that answers, notice passages that hardly fit are left out
            top = max(p.cov for p in explained)
            legal = [p for p in legal if p.cov >= top / 2 or p.held]
        return legal + explained

    def _pick(self, scored: list, question: str, notices: list[str], lang: str, limit: int) -> list[Pick]:
        picks: list[Pick] = []
        floor = NAMED if notices else WEAK
        first_notice = None
        for rank, (_, cov, chunk, held) in enumerate(scored):
            if len(picks) >= limit:
                break
            if cov + held < floor:  # `held`: the passage holds what is asked (an article, a quantity to compare)
                continue
            if not notices and first_notice and chunk.notice != first_notice and cov < 0.8:
                continue  # without a named notice, quote the best-matching notice only, unless another fits well
            first_notice = first_notice or chunk.notice
            if chunk.lang != lang and any(c.notice == chunk.notice and c.lang == lang and c.labels ==
                                          chunk.labels for _, _, c, _ in scored[:rank + 3]):
                continue
            sentence = chunk.body if len(chunk.body) <= 400 else _best_sentence(question, chunk.body)
            label = chunk.labels[0]
            if len(chunk.labels) > 1:  # a group of annex rows: quote and cite the row that fits best
                rows = chunk.body.split("\n")
                pairs = list(zip(chunk.labels, rows, strict=False))
                label, sentence = max(pairs, key=lambda lr: coverage(question, lr[1]))
            picks.append(Pick(cov, chunk, label, sentence, held > 0))
        return picks

    def quote(self, out: Sentences, question: str, picks: list[Pick]) -> float:
        """Quote the picked passages, each cited. Returns the best coverage (0 when nothing qualified)."""
        best = 0.0
        for p in picks:
            best = max(best, p.cov)
            name = self.facts.name(p.chunk.notice, out.lang)
            i = out.cite(p.chunk.notice, p.label, p.chunk.key)
            en_where, zh_where = where(p.label)
            if p.chunk.notice in self.interpretations:  # never presented as the law itself
                en_where, zh_where = qa_where(p.label)
                text = f"{name} — {LABEL['en']}, {en_where}: “{p.sentence}”" if out.lang == "en" else \
                    f"{name}（{LABEL['zh']}）{zh_where}：“{p.sentence}”"
            else:
                text = f"{name}, {en_where}: “{p.sentence}”" if out.lang == "en" else \
                    f"{name}{zh_where}规定：“{p.sentence}”"
            if out.lang == "en" and re.search(r"[\u4e00-\u9fff]", p.sentence):
                g = gloss(p.sentence)
                text += f" (glossary: {g})" if g else ""
            out.add(text, [i])
        self._disagreements(out, question, picks)
        return best


def _answer_types(question: str) -> list[str]:
    return [kind for kind, (asks, _, _) in ANSWER_TYPES.items() if asks.search(question)]


def _quoted(question: str) -> list[str]:
    """Phrases the question quotes (“原则上不予许可”): a passage that holds them verbatim is what is asked about."""
    return [q.lower().replace(" ", "") for q in re.findall(r"[“\"「『]([^”\"」』]{2,40})[”\"」』]", question)]


def _asked(chunk: Chunk) -> str:
    """The question an interpretation's answer passage answers (indexed with it: 'head\\nquestion > answer')."""
    rest = chunk.text.split("\n", 1)[-1]
    return rest.split(" > ", 1)[0] if " > " in rest else ""


def qa_where(label: str) -> tuple[str, str]:
    """Where in an interpretation: 'answer to question 3' for q3.a, else the usual clause wording."""
    m = re.match(r"q?(\d+)(\.(?:a\d*|p\d+))?$", label)
    if m:
        return ((f"answer to question {m.group(1)}", f"第{m.group(1)}问答复") if m.group(2) else
                (f"question {m.group(1)}", f"第{m.group(1)}问"))
    return where(label)
