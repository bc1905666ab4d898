"""The offline answerer (no LLM): reads what the question asks, answers first and briefly in the question's
language from structured facts, every sentence cited; when the evidence is weak it says it cannot answer."""

from __future__ import annotations

import re

from tracker.answer.evidence import INTERPRETATION, Evidence, Pick
from tracker.answer.facts import Facts, Sentences
from tracker.answer.interpret import Interpreted
from tracker.index.search import Hit, Mentions

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
    "hs": re.compile(r"customs (?:numbers?|codes?|commodity|headings?)|\bHS\b|tariff|商品编号|税则|海关编码|海关编号", re.I),
    "threshold": re.compile(r"threshold|percent|%|de minimis|minimum|how (?:much|many)|value share|layers|nm\b|"
                            r"Wh/kg|density|purity|阈值|比例|价值|纯度|多少|层|纳米|密度|容量", re.I),
    "elements": re.compile(r"which (?:rare[- ]earth |medium and heavy rare[- ]earth )?elements|哪几种|哪些元素|哪些稀土|"
                           r"哪几类稀土|哪几种.*稀土", re.I),
    "compare": re.compile(r"compar|\bversus\b|\bvs\.?\b|相比|比较|对比", re.I),
    "timeline": re.compile(r"\bever\b|history|timeline|曾经|是否曾|历程|先后", re.I),
    "entity": re.compile(r"\bentit|\bcompan|control list|watch list|管控名单|关注名单|实体|企业|名单", re.I),
    "items": re.compile(r"which (?:items|materials|products|technologies|equipment|goods)|what (?:items|materials|"
                        r"products|technologies|equipment|goods)|哪些[^，。？?]{0,6}?(?:物项|材料|产品|技术|设备|物品)", re.I),
    "impact": re.compile(r"count as|covered by|\bfalls? (?:under|within|outside)|subject to|caught by|"
                         r"属于|算作|视为|受.{0,8}管制|是否构成", re.I),
}


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


class Composer(Evidence, Interpreted):
    def __init__(self, facts: Facts, embedder, chunks: list) -> None:
        self.facts = facts
        self.embedder = embedder
        self.retriever_chunks = chunks
        self.interpretations = facts.regime.interpretations  # official interpretations: evidence, never law
        self.as_of = "9999-12-31"

    def compose(self, question: str, dates: list[str], lang: str, hits: list[Hit], found: Mentions,
                dated_by_question: bool = False) -> Sentences:
        out = Sentences(self.facts.store, {**self.facts.regime.structures, **self.interpretations}, lang)
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
            if len(out.items) == before and notices:  # no stored revision: what the notice itself changes
                for nid in notices[:2]:
                    self.facts.amendments(out, nid, as_of)
            facts_added |= len(out.items) > before
        if "relation" in asked and notices:
            for nid in notices:
                self.facts.relations(out, nid, as_of, tuple(notices))
            facts_added = True
        if "entity" in asked or self._names_entity(question):
            self.facts.entities(out, question, notices, as_of, _which_list(question))
            if not notices and out.citations:  # quote the listing notice's own clauses
                notices = list(dict.fromkeys(c.notice for c in out.citations))
        if NUMBER_ASKED.search(question):
            self._numbers(out, question, notices, hits)
            if not out.items:
                return out  # the document that was asked about carries no number
        beyond = "status" in asked and bool(CONSEQUENCE.search(question)) \
            and any(self._lapsed(n, d) for n in notices for d in dates)  # then what still applies?
        definers = self._notices_for(elements, as_of)
        referring = {n for n, st in self.facts.regime.structures.items() if n not in definers
                     and any(i.elements[:1] and i.elements[0] in elements for i in st.items)}
        picks = self.select(question, hits, notices, found, lang, 3, beyond, referring)
        if beyond:
            extra = self._still_applies(question, notices, dates, found, lang, picks)
            picks = extra + [p for p in picks if (p.chunk.key, p.label) not in {(x.chunk.key, x.label) for x in extra}]
        if "relation" in asked and len(notices) > 1 and out.citations:  # quote the notices that do the acting
            picks = [p for p in picks if p.chunk.notice in {c.notice for c in out.citations}]
        # Without a named notice, the notices whose passages answer best are the ones the answer is about.
        anchors = notices or list(dict.fromkeys(p.chunk.notice for p in picks
                                                if p.chunk.notice in self.facts.regime.structures))
        covered = {i.elements[0] for n in notices for i in self.facts.regime.structures[n].items if i.elements}
        loose = [e for e in elements if e not in covered]  # elements the named notices do not control
        element_notices = self._notices_for(loose, as_of)
        if not notices and picks:
            element_notices = [n for n in element_notices if n in anchors]
        wants_items = bool({"code", "hs"} & asked) or bool(found.codes or found.customs)
        top = list(dict.fromkeys(h.chunk.notice for h in hits[:5]))  # without a named notice: the ones found
        found_notices = [n for n in top if n in anchors] or top
        if wants_items and (elements or found.codes or found.customs or notices):
            self.facts.items(out, elements, list(found.codes), list(found.customs), notices or found_notices[:2],
                             as_of, "hs" in asked, question)
        targets = list(dict.fromkeys(notices + element_notices)) if elements and "status" in asked \
            else (notices or element_notices)
        if loose and (not notices or element_notices) and ({"status"} & asked or re.search(r"licen[cs]e|许可", question)) \
                and not wants_items:
            self.facts.items(out, loose, [], [], element_notices[:2] or found_notices[:2], as_of, False, question)
        elif "items" in asked and notices and not wants_items:  # which items a named notice controls
            self.facts.items(out, elements, [], [], notices[:2], as_of, False, question)
        elif "impact" in asked and notices and not elements and not wants_items \
                and not INTERPRETATION.search(question) and len(self.facts.regime.structures[notices[0]].items) <= 6:
            self.facts.items(out, [], [], [], notices[:1], as_of, False)  # what the named notice controls
        if targets and "timeline" not in asked and ({"status"} & asked or len(dates) > 1
                                                    or (dated_by_question and not asked - {"threshold"})):
            focus = _focus(hits, targets, found)
            for nid, labels in _clause_refs(question, targets).items():
                focus[nid] = labels
            for day in dates:
                for nid in targets[:4]:
                    self.facts.status(out, nid, day, focus.get(nid))
        when_targets = targets or ([p.chunk.notice for p in picks[:1]] if picks else [])
        if "when" in asked and when_targets and not {"status"} & asked:
            for nid in when_targets[:2]:
                self.facts.effective(out, nid)
        best = self.quote(out, question, picks)
        if ({"status"} & asked or dated_by_question) and "timeline" not in asked:
            for c in list(out.citations):  # the state, on the date asked, of what the quotes come from
                if c.notice not in out.stated and c.notice in self.facts.regime.structures \
                        and c.label != "title" and not c.label.startswith("annex"):
                    for day in dates:
                        self.facts.status(out, c.notice, day, {c.label})
            for target, labels in self._acted_on(picks, as_of).items():  # and of what they suspend or repeal
                if target not in out.stated and not notices:
                    for day in dates:
                        self.facts.status(out, target, day, labels)
        if COMPANIES_ASKED.search(question) and not any(COMPANY_NAME.search(t) for t, _ in out.items):
            out.items.clear()  # which companies: no passage names one
        if _missing_unit(question, out):
            out.items.clear()  # "多少元 / how many days": no passage states that quantity
        if "threshold" in asked and re.search(r"多少|how (?:much|many)|what (?:amount|number)", question, re.I) \
                and not any(re.search(r"\d", t) for t, _ in out.items):
            out.items.clear()  # a quantity was asked and no passage states one: refuse rather than guess
        if not out.items or (best == 0 and not facts_added and not out.items):
            out.items.clear()
        return out

    def _acted_on(self, picks: list[Pick], as_of: str) -> dict[str, set[str]]:
        """Provisions that the quoted clauses suspend, resume, repeal or amend: notice -> clause labels."""
        acted: dict[str, set[str]] = {}
        for p in picks:
            st = self.facts.regime.structures.get(p.chunk.notice)
            if st is None or not st.issued or st.issued > as_of:
                continue
            for r in st.relations:
                if r.kind in ("suspends", "resumes", "repeals", "amends") and r.source_label == p.label \
                        and r.target in self.facts.regime.structures:
                    acted.setdefault(r.target, set())
                    if r.target_label and r.target_label != "*":
                        acted[r.target].add(r.target_label)
        return acted

    def _numbers(self, out: Sentences, question: str, notices: list[str], hits: list[Hit]) -> None:
        """'What is the announcement number of ...': read from the document's own metadata; a document published
        without a number leaves the answer empty (a refusal), never a guess."""
        pool = notices or list(dict.fromkeys(h.chunk.notice for h in hits[:3]))[:1]
        for nid in pool:
            meta = self.facts.notices.get(nid)
            if meta and meta.get("number"):
                i = out.cite(nid, "title")
                out.add(f"Its number is {self.facts.name(nid, 'en')} ({meta['number']})." if out.lang == "en" else
                        f"其文号为{meta['number']}。", [i])

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
        if FOREIGN_REGIME.search(question) and not found.notices:
            return True  # another jurisdiction's measures: not in the store
        if INTERPRETATION.search(question) and not any((st.issued or "") <= max(dates)
                                                        for st in self.interpretations.values()):
            return True  # the store holds no spokesperson remarks, Q&As or FAQs (of that time)
        latest = max((st.issued for st in self.facts.regime.structures.values() if st.issued), default="")
        later = [d for d in re.findall(r"\d{4}-\d{2}-\d{2}", question) + dates if d > latest]
        after_words = re.search(r"\bextend|\bextension|issued? (?:a )?new|new (?:notice|announcement)|之后.*(?:发布|恢复)|"
                                r"延长|新公告|是否发布", question, re.I)
        return bool(later and after_words)

    def _lapsed(self, nid: str, day: str) -> bool:
        """The notice as a whole is not in force on the day (suspended, not yet effective, repealed, expired)."""
        st = self.facts.regime.structures.get(nid)
        if st is None or not st.issued or st.issued > day:
            return False
        states = [s for p in self.facts.regime.provisions(nid) if (s := self.facts.regime.state(p, day))]
        return bool(states) and all(s.status != "in_force" for s in states)

    def _notices_for(self, elements: list[str], as_of: str) -> list[str]:
        """The notices that put the elements' items under control. A notice whose items for an element only
        repeat control codes an earlier notice already defined for it (an annex referring to them) is left out,
        unless no other notice controls the element."""
        issued = sorted(((st.issued, nid) for nid, st in self.facts.regime.structures.items()
                         if st.issued and st.issued <= as_of))
        out = []
        for element in elements:
            found, defined, kept = [], set(), []
            for _, nid in issued:
                items = self.facts.regime.structures[nid].items
                codes = {i.code for i in items if i.elements[:1] == (element,) and i.code}
                if any(i.elements[:1] == (element,) for i in items):
                    found.append(nid)
                    if not codes or codes - defined:
                        kept.append(nid)
                defined |= {i.code for i in items if i.code}
            out += kept or found
        return list(dict.fromkeys(out))

NUMBER_ASKED = re.compile(r"(?:announcement|notice|document|decree) number|number of (?:the|this) (?:announcement|"
                          r"notice|catalogue|document)|\bwhich number\b|文号|第几号|公告编号",
                          re.I)


def _which_list(question: str) -> str | None:
    low = question.lower()
    if "watch list" in low or "关注名单" in question:
        return "watch list"
    if re.search(r"(?<!export-)(?<!export )control list", low) or "管控名单" in question:
        return "control list"
    return None


# Asking what a notice's state means for an export (not only the state itself).
CONSEQUENCE = re.compile(r"licen[cs]e|restrict|unrestricted|\bfree\b|allowed|permitted|still (?:controlled|managed|need)|"
                         r"no longer|管理|许可|限制|仍需|还需|不再|放开", re.I)
COMPANIES_ASKED = re.compile(r"which (?:companies|firms|makers|manufacturers|producers|enterprises|exporters|suppliers|"
                             r"\w+ (?:makers|manufacturers|companies|producers))|哪些(?:企业|公司|厂商|厂家)|哪几家", re.I)
COMPANY_NAME = re.compile(r"株式会社|Co\.,? ?Ltd|Corporation|\bCorp\b|\bInc\b|GmbH|有限公司|集团|Limited|\bAG\b|\bLLC\b", re.I)
# Measures of other jurisdictions' authorities: outside what the store covers (vocabulary, not facts).
FOREIGN_REGIME = re.compile(r"\bBIS\b|Bureau of Industry and Security|\bEAR\b|\bOFAC\b|\bMETI\b|Entity List|"
                            r"(?:US|U\.S\.|American|EU|European) (?:Commerce Department|Department of Commerce|"
                            r"Treasury|Commission|Council|sanctions?)|美国商务部|美国工业与安全局|欧盟委员会|日本经济产业省")
UNIT_ASKED = re.compile(r"多少(元|天|日|个|项|家|年)|how many (days|items|entities|years|entries)|how much (money|fine)|"
                        r"(?:maximum|minimum|amount of (?:the )?) ?(fine|penalty)|(罚款)(?:金额|上限|数额|是多少)", re.I)
UNIT_WORDS = {"元": r"\d\s*元", "天": r"\d\s*(?:天|日|days?)", "日": r"\d\s*(?:天|日|days?)",
              "个": r"(?<!第)(?<![\d.])\d+\s*(?:个|项|items?)", "项": r"(?<!第)(?<![\d.])\d+\s*(?:项|个|items?)", "家": r"\d\s*(?:家|entities)", "年": r"\d\s*年",
              "days": r"\d\s*(?:days?|天|日)", "items": r"\d\s*(?:items?|项|个)", "entities": r"\d\s*(?:entities|家)",
              "years": r"\d\s*(?:years?|年)", "entries": r"\d\s*(?:entries|项)", "money": r"\d\s*(?:元|yuan|RMB)",
              "fine": r"\d\s*(?:元|yuan|RMB)", "penalty": r"\d\s*(?:元|yuan|RMB)",
              "罚款": r"\d\s*(?:元|yuan|RMB)"}


def _missing_unit(question: str, out) -> bool:
    m = UNIT_ASKED.search(question)
    if not m:
        return False
    unit = next((g for g in m.groups() if g), "")
    pattern = UNIT_WORDS.get(unit.lower(), r"\d")
    return not any(re.search(pattern, t, re.I) for t, _ in out.items)


CLAUSE_IN_Q = re.compile(r"第([一二三四五六七八九十]+)[条款]|(?:paragraph|para\.?|clause|article)\s*(\d+)", re.I)


def _clause_refs(question: str, notices: list[str]) -> dict[str, set[str]]:
    """Clauses a question names (第二条, paragraph 2) decide which provision's state is given."""
    from tracker.structure.labels import cn_number

    labels = {str(cn_number(m.group(1))) if m.group(1) else m.group(2) for m in CLAUSE_IN_Q.finditer(question)}
    return {nid: labels for nid in notices[:1]} if labels else {}
