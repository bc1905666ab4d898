"""The offline answerer (no LLM): reads what the question asks, answers first and briefly in the question's
language from structured facts, every sentence cited; when the evidence is weak it says it cannot answer."""

from __future__ import annotations

import re

from tracker.answer.facts import Facts, Sentences
from tracker.diff.explain import where
from tracker.index.lexical import tokenize
from tracker.index.search import Hit, Mentions
from tracker.structure.glossary import expand_en, gloss

INTENTS = {
    "change": re.compile(r"\bchang|\bcorrect|\breplac|\bedit|\bupdat|\brevis|修改|变化|更正|替换|更新|删除|变更|改动|调整了什么",
                         re.I),
    "relation": re.compile(r"\bsuspend(?:s|ed)? (?:which|what)|which (?:notices?|announcements?)|what did .* suspend|"
                           r"suspended by|\brepeal|\bamend|\breplace[sd]? (?:which|what)|\brelat|暂停了哪些|哪些公告|"
                           r"废止|被.*暂停|暂停.*哪|调整.*目录|修改.*目录|关系", re.I),
    "status": re.compile(r"in force|in effect|\beffective on|still appl|\bappl(?:y|ies|ying) on|suspended|\bvalid|"
                         r"\bstatus|ever (?:in force|take effect)|是否(?:仍|有效|生效|暂停|适用|实施|继续)|有效吗|生效了吗|"
                         r"暂停|状态|处于|仍需|还需|仍然|是否需要|需要.{0,6}许可|need (?:a )?licen[cs]e|"
                         r"require (?:a )?licen[cs]e|\brepeal", re.I),
    "when": re.compile(r"\bwhen\b|\buntil\b|what date|which date|from what|how long|何时|什么时候|哪天|哪一天|截至|截止|"
                       r"到期|起止|期限|多久", re.I),
    "code": re.compile(r"control code|\bcodes?\b|ECCN|编码|编号是|管制编码", re.I),
    "hs": re.compile(r"customs|\bHS\b|tariff|商品编号|税则|海关编码|海关编号", re.I),
    "threshold": re.compile(r"threshold|percent|%|de minimis|minimum|how (?:much|many)|value share|layers|nm\b|"
                            r"Wh/kg|density|purity|阈值|比例|价值|纯度|多少|层|纳米|密度|容量", re.I),
    "elements": re.compile(r"which (?:rare[- ]earth |medium and heavy rare[- ]earth )?elements|哪几种|哪些元素|哪些稀土|"
                           r"哪几类稀土|哪几种.*稀土", re.I),
    "compare": re.compile(r"compar|\bversus\b|\bvs\.?\b|相比|比较|对比", re.I),
    "timeline": re.compile(r"\bever\b|history|timeline|曾经|是否曾|历程|先后", re.I),
    "entity": re.compile(r"\bentit|\bcompan|control list|watch list|管控名单|关注名单|实体|企业|名单", re.I),
}
WEAK = 0.5  # IDF-weighted share of the question's words a passage must hold to be quoted
NAMED = 0.2  # lower bar inside the notices a question names


def intents(question: str) -> set[str]:
    return {name for name, rx in INTENTS.items() if rx.search(question)}


def _focus(hits: list[Hit], notices: list[str], found: Mentions) -> dict[str, set[str]]:
    """The clause labels the best passages point to, per notice (to pick the provision asked about). A passage
    holding a quantity the question names (0.1%) decides alone."""
    out: dict[str, set[str]] = {}
    exact = [h for h in hits if found.numbers and any(n.lower() in h.chunk.text.lower().replace(" ", "")
                                                      for n in found.numbers)]
    for hit in exact or hits[:3]:
        if hit.chunk.notice in notices and hit.chunk.kind in ("clause", "para"):
            out.setdefault(hit.chunk.notice, set()).update(hit.chunk.labels)
    return out


_IDF: dict[str, float] = {}


def set_idf(lexical) -> None:
    """Term weights from the BM25 index: rare words (a code, 纯度, 氢破) weigh more than common ones (出口)."""
    _IDF.clear()
    if lexical.bm25 is not None:
        _IDF.update(lexical.bm25.idf)


def coverage(question: str, text: str) -> float:
    """IDF-weighted share of the question's content words found in the text. An English question read against
    a Chinese passage counts only what can cross languages: glossary terms, codes, numbers."""
    cross = not re.search(r"[\u4e00-\u9fff]", question) and len(re.findall(r"[\u4e00-\u9fff]", text)) > 8
    if cross:
        source = expand_en(question) + " " + " ".join(re.findall(r"\d[A-E]\d{3}[.\w]*|\d+(?:\.\d+)?%?", question))
    else:
        source = question + " " + expand_en(question)
    words = list(dict.fromkeys(w for w in tokenize(source) if len(w) > 1 or re.match(r"[\u3400-\u9fff]", w)))
    if not words:
        return 0.0
    low = text.lower()
    weights = [max(_IDF.get(w, 1.0), 0.05) for w in words]
    have = sum(wt for w, wt in zip(words, weights, strict=True) if w.lower() in low)
    score = have / sum(weights)
    if cross:  # only part of an English question can be matched in Chinese: discount by how much
        english = [w for w in tokenize(question) if re.match(r"[a-z]{3,}", w)]
        score *= min(1.0, len(words) / max(3, len(english)))
    return score


class Composer:
    def __init__(self, facts: Facts, embedder, chunks: list) -> None:
        self.facts = facts
        self.embedder = embedder
        self.retriever_chunks = chunks
        self.as_of = "9999-12-31"

    def compose(self, question: str, dates: list[str], lang: str, hits: list[Hit], found: Mentions,
                dated_by_question: bool = False) -> Sentences:
        out = Sentences(self.facts.store, self.facts.regime.structures, lang)
        asked = intents(question)
        self.as_of = as_of = max(dates)
        notices = [n for n in found.notices if n in self.facts.regime.structures]
        if self._refuse(question, found, notices, dates):
            return out
        notices = self._disambiguate(notices, found)
        later = [n for n in notices if (self.facts.regime.structures[n].issued or "") > as_of]
        for nid in later:  # named but not yet issued on the date asked: say so, state nothing else from it
            self.facts.status(out, nid, as_of)
        notices = [n for n in notices if n not in later]
        if later and not notices:
            return out
        elements = list(found.elements)
        facts_added = False
        if "compare" in asked and len(notices) >= 2:
            self.facts.compare(out, notices[0], notices[1])
        if "elements" in asked:
            for nid in notices[:2]:
                self.facts.elements(out, nid)
        if "timeline" in asked and notices:
            for nid in notices[:2]:
                self.facts.timeline(out, nid, as_of)
        if "change" in asked and not ({"status"} & asked and not notices):
            reasons = set()
            if "hs" in asked:
                reasons.add("customs number")
            if "entity" in asked:
                reasons |= {"removed clause", "new clause"}
            if "code" in asked:
                reasons.add("code")
            before = len(out.items)
            self.facts.changes(out, notices, reasons, self.embedder)
            facts_added |= len(out.items) > before
        if "relation" in asked and notices:
            for nid in notices:
                self.facts.relations(out, nid)
            facts_added = True
        if "entity" in asked or self._names_entity(question):
            self.facts.entities(out, question, notices, as_of, _which_list(question))
            if not notices and out.citations:  # quote the listing notice's own clauses
                notices = list(dict.fromkeys(c.notice for c in out.citations))
        wants_items = bool({"code", "hs"} & asked) or bool(found.codes or found.customs)
        top = list(dict.fromkeys(h.chunk.notice for h in hits[:5]))  # without a named notice: the ones found
        if wants_items and (elements or found.codes or found.customs or notices):
            self.facts.items(out, elements, list(found.codes), list(found.customs), notices or top[:2], as_of,
                             "hs" in asked)
        targets = list(dict.fromkeys(notices + self._notices_for(elements, as_of))) if elements and "status" in asked \
            else (notices or self._notices_for(elements, as_of))
        if elements and not notices and ({"status"} & asked or re.search(r"licen[cs]e|许可", question)) \
                and not wants_items:
            self.facts.items(out, elements, [], [], top[:2], as_of, False)
        if targets and "timeline" not in asked and ({"status"} & asked or len(dates) > 1
                                                    or (dated_by_question and not asked - {"threshold"})):
            focus = _focus(hits, targets, found)
            for nid, labels in _clause_refs(question, targets).items():
                focus[nid] = labels
            for day in dates:
                for nid in targets[:4]:
                    self.facts.status(out, nid, day, focus.get(nid))
        if "when" in asked and targets and not {"status"} & asked:
            for nid in targets[:2]:
                self.facts.effective(out, nid)
        limit = 3
        best = self.evidence(out, question, hits, notices, found, limit)
        if ({"status"} & asked or dated_by_question) and "timeline" not in asked:
            for c in list(out.citations):  # the state, on the date asked, of what the quotes come from
                if c.notice not in out.stated and c.notice in self.facts.regime.structures \
                        and c.label != "title" and not c.label.startswith("annex"):
                    for day in dates:
                        self.facts.status(out, c.notice, day, {c.label})
        if _missing_unit(question, out):
            out.items.clear()  # "多少元 / how many days": no passage states that quantity
        if "threshold" in asked and re.search(r"多少|how (?:much|many)|what (?:amount|number)", question, re.I) \
                and not any(re.search(r"\d", t) for t, _ in out.items):
            out.items.clear()  # a quantity was asked and no passage states one: refuse rather than guess
        if not out.items or (best == 0 and not facts_added and not out.items):
            out.items.clear()
        return out

    def _names_entity(self, question: str) -> bool:
        for st in self.facts.regime.structures.values():
            for r in st.relations:
                if r.kind == "lists_entities" and any(
                        len(p.strip()) > 3 and p.strip().lower() in question.lower()
                        for e in r.entities for p in re.split(r"[/()（）]", e)):
                    return True
        return False

    def _disambiguate(self, notices: list[str], found: Mentions) -> list[str]:
        """'No. 57' fits two notices: keep the one whose items name the question's elements, if that decides."""
        for group in found.ambiguous:
            if found.elements:
                keep = [n for n in group if any(i.elements[:1] and i.elements[0] in found.elements
                                                for i in self.facts.regime.structures[n].items)]
                if len(keep) == 1:
                    notices = [n for n in notices if n not in group or n in keep]
        return notices

    def _refuse(self, question: str, found: Mentions, notices: list[str], dates: list[str]) -> bool:
        """Questions the store cannot answer by construction."""
        named = re.findall(r"(?:(\d{4})\s*年\s*)?第\s*(\d{1,3})\s*号|No\.?\s*(\d{1,3})\s*of\s*(\d{4})", question)
        if named and not found.notices:
            return True  # a notice the store does not have
        if INTERPRETATION.search(question) and not any(st.kind == "interpretation"
                                                        for st in self.facts.regime.structures.values()):
            return True  # the store holds no spokesperson remarks, Q&As or FAQs
        latest = max((st.issued for st in self.facts.regime.structures.values() if st.issued), default="")
        later = [d for d in re.findall(r"\d{4}-\d{2}-\d{2}", question) + dates if d > latest]
        after_words = re.search(r"\bextend|\bextension|issued? (?:a )?new|new (?:notice|announcement)|之后.*(?:发布|恢复)|"
                                r"延长|新公告|是否发布", question, re.I)
        return bool(later and after_words)

    def _notices_for(self, elements: list[str], as_of: str) -> list[str]:
        out = []
        for element in elements:
            for nid, st in self.facts.regime.structures.items():
                if st.issued and st.issued <= as_of and any(i.elements[:1] == (element,) for i in st.items):
                    out.append(nid)
        return list(dict.fromkeys(out))

    def evidence(self, out: Sentences, question: str, hits: list[Hit], notices: list[str], found: Mentions,
                 limit: int) -> float:
        """Quote the passages that hold the question's terms best: among the retrieved chunks, and among every
        chunk of the notices the question names. Returns the best coverage (0 when nothing qualified)."""
        pool = {h.chunk.key: (h.chunk, h.score) for h in hits}
        if notices:
            for chunk in self.retriever_chunks:
                if chunk.notice in notices and chunk.key not in pool and chunk.kind != "title":
                    pool[chunk.key] = (chunk, 0.0)
        must = [n.lower() for n in found.numbers + found.codes + found.customs]
        scored = []
        for chunk, score in pool.values():
            if chunk.kind == "title" or (notices and chunk.notice not in notices):
                continue
            if chunk.issued and chunk.issued > self.as_of:
                continue
            text = chunk.text.lower()
            same = bool(re.search(r"[\u4e00-\u9fff]", question)) == (chunk.lang == "zh")
            cov = coverage(question, chunk.text if same else chunk.body)
            cov += sum(0.25 for m in must if m in text.replace(" ", ""))
            scored.append((cov + score * 3, cov, chunk))
        has_lang = {c.notice for _, _, c in scored if c.lang == out.lang}
        scored = [x for x in scored if x[2].lang == out.lang or x[2].notice not in has_lang
                  or x[2].kind in ("annex_rows", "annex_para")]  # quote the question's language where it exists
        scored.sort(key=lambda x: -x[0])
        best = 0.0
        taken = 0
        floor = NAMED if notices else WEAK
        first_notice = None
        for _, cov, chunk in scored:
            if taken >= limit:
                break
            if cov < floor:
                continue
            if not notices and first_notice and chunk.notice != first_notice and cov < 0.8:
                continue  # without a named notice, quote the best-matching notice only, unless another fits well
            first_notice = first_notice or chunk.notice
            if chunk.lang != out.lang and any(c.notice == chunk.notice and c.lang == out.lang and c.labels ==
                                              chunk.labels for _, _, c in scored[:taken + 3]):
                continue
            best = max(best, cov)
            sentence = chunk.body if len(chunk.body) <= 400 else _best_sentence(question, chunk.body)
            name = self.facts.name(chunk.notice, out.lang)
            label = chunk.labels[0]
            if len(chunk.labels) > 1:  # a group of annex rows: quote and cite the row that fits best
                rows = chunk.body.split("\n")
                pairs = list(zip(chunk.labels, rows, strict=False))
                label, sentence = max(pairs, key=lambda lr: coverage(question, lr[1]))
            i = out.cite(chunk.notice, label, chunk.key)
            en_where, zh_where = where(label)
            text = f"{name}, {en_where}: “{sentence}”" if out.lang == "en" else f"{name}{zh_where}规定：“{sentence}”"
            if out.lang == "en" and re.search(r"[\u4e00-\u9fff]", sentence):
                g = gloss(sentence)
                text += f" (glossary: {g})" if g else ""
            out.add(text, [i])
            taken += 1
        return best


def _best_sentence(question: str, body: str) -> str:
    """The one or two sentences of a long clause that hold the question's words best, in document order."""
    parts = [p for p in re.split(r"(?<=[。；;])|(?<!\bNo\.)(?<!\bNos\.)(?<!\bArt\.)(?<!\bpara\.)(?<=\.)\s+|\n", body)
             if p.strip()]
    if not parts:
        return body[:200]
    ranked = sorted(range(len(parts)), key=lambda i: -coverage(question, parts[i]))[:2]
    return " ".join(parts[i].strip() for i in sorted(ranked))  # whole sentences, never cut mid-word


def _which_list(question: str) -> str | None:
    low = question.lower()
    if "watch list" in low or "关注名单" in question:
        return "watch list"
    if re.search(r"(?<!export-)(?<!export )control list", low) or "管控名单" in question:
        return "control list"
    return None


INTERPRETATION = re.compile(r"答问|答记者问|发言人|常见问题|问答|spokes|Q&A|\bFAQ|press conference|remarks", re.I)
UNIT_ASKED = re.compile(r"多少(元|天|日|个|项|家|年)|how many (days|items|entities|years|entries)|how much (money|fine)",
                        re.I)
UNIT_WORDS = {"元": r"\d\s*元", "天": r"\d\s*(?:天|日|days?)", "日": r"\d\s*(?:天|日|days?)",
              "个": r"(?<!第)(?<![\d.])\d+\s*(?:个|项|items?)", "项": r"(?<!第)(?<![\d.])\d+\s*(?:项|个|items?)", "家": r"\d\s*(?:家|entities)", "年": r"\d\s*年",
              "days": r"\d\s*(?:days?|天|日)", "items": r"\d\s*(?:items?|项|个)", "entities": r"\d\s*(?:entities|家)",
              "years": r"\d\s*(?:years?|年)", "entries": r"\d\s*(?:entries|项)", "money": r"\d\s*(?:元|yuan|RMB)",
              "fine": r"\d\s*(?:元|yuan|RMB)"}


def _missing_unit(question: str, out) -> bool:
    m = UNIT_ASKED.search(question)
    if not m:
        return False
    unit = next(g for g in m.groups() if g)
    pattern = UNIT_WORDS.get(unit.lower(), r"\d")
    return not any(re.search(pattern, t, re.I) for t, _ in out.items)


CLAUSE_IN_Q = re.compile(r"第([一二三四五六七八九十]+)[条款]|(?:paragraph|para\.?|clause|article)\s*(\d+)", re.I)


def _clause_refs(question: str, notices: list[str]) -> dict[str, set[str]]:
    """Clauses a question names (第二条, paragraph 2) decide which provision's state is given."""
    from tracker.structure.labels import cn_number

    labels = {str(cn_number(m.group(1))) if m.group(1) else m.group(2) for m in CLAUSE_IN_Q.finditer(question)}
    return {nid: labels for nid in notices[:1]} if labels else {}
