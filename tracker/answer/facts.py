"""Cited sentences built from structured facts: state on a date, effective dates, relations, items and codes,
reference customs numbers, entity listings, version changes. Each sentence carries its citations; nothing here
invents a fact: every value is read from a stored document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.diff.engine import diff_versions, sort_changes
from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.structure.glossary import lookup
from tracker.types import Citation
from tracker.understand import NoticeStructure, understand

ISSUERS_EN = {"mofcom": "MOFCOM", "gacc": "GACC", "most": "MOST", "miit": "MIIT", "sca": "SCA", "sc": "State Council",
              "ndrc": "NDRC"}
STATUS = {"en": {"in_force": "in force", "not_yet_effective": "not yet in effect", "suspended": "suspended",
                 "repealed": "repealed", "expired": "expired"},
          "zh": {"in_force": "有效实施中", "not_yet_effective": "尚未生效", "suspended": "暂停实施", "repealed": "已废止",
                 "expired": "已失效"}}


@dataclass
class Sentences:
    """Sentences under construction, each with the indexes of its citations."""

    store: Store
    structures: dict[str, NoticeStructure]
    lang: str
    items: list[tuple[str, list[int]]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    stated: set[str] = field(default_factory=set)  # notices whose state on the date has been given

    def cite(self, notice: str, label: str, key: str = "") -> int:
        for i, c in enumerate(self.citations, 1):
            if c.notice == notice and c.label == label:
                return i
        st = self.structures.get(notice)
        clause = st.clause(label) if st else None
        quote = (clause.text if clause else (st.title if st else ""))[:200]
        url = clause.source if clause and clause.source else (st.url if st else "")
        self.citations.append(Citation(notice, label, url, quote, key))
        return len(self.citations)

    def add(self, text: str, cites: list[int]) -> None:
        if text and cites and text not in {t for t, _ in self.items}:
            self.items.append((text, sorted(set(cites))))

    def text(self) -> str:
        sep = "" if self.lang == "zh" else " "
        return sep.join(f"{t}{''.join(f'[{i}]' for i in c)}" for t, c in self.items)


def notice_name(store_notice: dict, lang: str) -> str:
    nid = store_notice["id"]
    if store_notice.get("kind") == "interpretation":  # no number: its title (and date)
        title = store_notice["title_en"] if lang == "en" and store_notice["title_en"] else store_notice["title"]
        return f"{title} ({store_notice['issued']})" if lang == "en" else f"{title}（{store_notice['issued']}）"
    if lang == "zh":
        return store_notice["number"] or store_notice["title"]
    m = re.match(r"^(.*)-(\d{4})-(\d+)$", nid)
    if m:
        who = "/".join(ISSUERS_EN.get(x, x.upper()) for x in m.group(1).split("-"))
        return f"{who} Announcement No. {int(m.group(3))} of {m.group(2)}"
    m = re.match(r"^(.*)-decree-(\d+)$", nid)
    if m:
        return f"{ISSUERS_EN.get(m.group(1), m.group(1))} Decree No. {m.group(2)}"
    return store_notice["title_en"] or store_notice["title"]


class Facts:
    def __init__(self, store: Store, regime: Regime) -> None:
        self.store = store
        self.regime = regime
        self.store_notices = store.notices()
        self.notices = {n["id"]: n for n in self.store_notices}
        self._structures: dict[tuple[str, str, int], NoticeStructure | None] = {}
        self._diffs: dict[tuple[str, str, int], list] = {}

    def version(self, nid: str, lang: str, seq: int) -> NoticeStructure | None:
        """A version's structure, read once per answerer."""
        key = (nid, lang, seq)
        if key not in self._structures:
            self._structures[key] = understand(self.store, nid, lang, seq)
        return self._structures[key]

    def version_changes(self, nid: str, lang: str, seq: int, embedder) -> list:
        key = (nid, lang, seq)
        if key not in self._diffs:
            old, new = self.version(nid, lang, seq - 1), self.version(nid, lang, seq)
            self._diffs[key] = sort_changes(list(diff_versions(old, new, embedder).changes))
        return self._diffs[key]

    def name(self, nid: str, lang: str) -> str:
        return notice_name(self.notices[nid], lang) if nid in self.notices else nid

    # -- state on a date -------------------------------------------------------------------------------------
    def status(self, out: Sentences, nid: str, as_of: str, focus: set[str] | None = None) -> None:
        lang = out.lang
        st = self.regime.structures.get(nid)
        if st is None:
            return
        out.stated.add(nid)
        name = self.name(nid, lang)
        if not st.issued or st.issued > as_of:
            i = out.cite(nid, "title")
            out.add(f"{name} had not been issued on {as_of}; it was issued on {st.issued}." if lang == "en" else
                    f"截至{as_of}，{name}尚未发布（发布日期为{st.issued}）。", [i])
            return
        states = [s for p in self.regime.provisions(nid) if (s := self.regime.state(p, as_of))]
        chosen = [s for s in states if focus and any(s.provision == f or f.startswith(s.provision + ".")
                                                     for f in focus if s.provision != "*")]
        if not chosen:
            chosen = [s for s in states if s.provision == "*"] + [s for s in states if s.provision != "*"
                                                                  and s.status != states[0].status]
        for s in chosen:
            cites = [out.cite(d["notice"], d["label"]) for d in s.determined_by if d["label"]] or \
                [out.cite(nid, "title")]
            what = name if s.provision == "*" else (f"clause {s.provision} of {name}" if lang == "en"
                                                    else f"{name}第{s.provision}项")
            word = STATUS[lang][s.status]
            if lang == "en":
                text = f"On {as_of}, {what} is {word}"
                if s.status == "suspended":
                    text += f" (suspended from {s.since} until {s.until})" if s.until else f" (since {s.since})"
                elif s.status == "not_yet_effective":
                    text += f" (it takes effect on {s.until})"
                elif s.since:
                    text += f" (since {s.since})"
                text += "."
                if "before it took effect" in s.note:
                    text += f" It was suspended before it ever took effect ({_would(s.note)})."
                if s.ambiguous:
                    text += (f" {s.until} is the boundary day: the text does not say whether it is the last day of "
                             f"the suspension, so this day is ambiguous.")
                if "never taken effect" in s.note:
                    text += " It had never taken effect before: it takes effect only once the suspension ends."
                if self.regime.projection_note(as_of):
                    text += (f" This is a projection: the newest document in the store is of {self.regime.horizon}, "
                             f"so nothing published later is reflected.")
            else:
                text = f"截至{as_of}，{what}{word}"
                if s.status == "suspended":
                    text += f"（自{s.since}起暂停至{s.until}）" if s.until else f"（自{s.since}起）"
                elif s.status == "not_yet_effective":
                    text += f"（将于{s.until}起实施）"
                elif s.since:
                    text += f"（自{s.since}起）"
                text += "。"
                if "before it took effect" in s.note:
                    text += f"该规定在生效前即被暂停（原定{_would(s.note)}起实施）。"
                if s.ambiguous:
                    text += f"{s.until}为边界日：文本未写明该日是否仍在暂停期内，该日状态存在歧义。"
                if "never taken effect" in s.note:
                    text += "该规定此前从未生效，暂停期结束后方才实施。"
                if self.regime.projection_note(as_of):
                    text += f"此为推算：库中最新文件发布于{self.regime.horizon}，其后发布的文件无法反映。"
            out.add(text, cites)

    def effective(self, out: Sentences, nid: str) -> None:
        st = self.regime.structures.get(nid)
        if st is None:
            return
        name = self.name(nid, out.lang)
        for e in st.effective:
            i = out.cite(nid, e.evidence_label)
            what = name if e.label == "*" else (f"clause {e.label} of {name}" if out.lang == "en"
                                                else f"{name}第{e.label}项")
            if e.label == "*" and any(x.label != "*" for x in st.effective):
                what = (f"the other provisions of {name}" if out.lang == "en" else f"{name}的其余规定")
            out.add(f"{what[0].upper() + what[1:]} take{'s' if e.label != '*' or what == name else ''} effect on "
                    f"{e.date}." if out.lang == "en" else f"{what}自{e.date}起实施。", [i])

    # -- relations -------------------------------------------------------------------------------------------
    def relations(self, out: Sentences, nid: str, as_of: str = "9999-12-31", among: tuple[str, ...] = ()) -> None:
        """What the notice suspends, resumes, repeals, amends or replaces, and what acts on it. When the question
        names several notices and some of them are related, only the relations among them are given (with the
        sentence that states each); a named notice that is not among the ones this notice acts on is said so."""
        lang = out.lang
        st = self.regime.structures.get(nid)
        if st is None:
            return
        name = self.name(nid, lang)
        others = [n for n in among if n != nid]
        kinds = ACTS + (("references",) if others else ())
        inbound = [(src, r) for src, r in self.regime.inbound.get(nid, [])
                   if r.kind in kinds and (self.regime.structures[src.notice].issued or "") <= as_of]
        outbound = [r for r in st.relations if r.kind in kinds and r.target]
        paired = [r for r in outbound if r.target in others] + [r for src, r in inbound if src.notice in others]
        if paired:  # the question is about how these notices relate: leave the others out
            outbound = [r for r in outbound if r.target in others]
            inbound = [(src, r) for src, r in inbound if src.notice in others]
        else:
            outbound = [r for r in outbound if r.kind != "references"]
            inbound = [(src, r) for src, r in inbound if r.kind != "references"]
        groups: dict[tuple, list] = {}
        for r in outbound:
            groups.setdefault((r.kind, r.source_label, r.start, r.until), []).append(r)
        for (kind, label, start, until), rels in groups.items():
            targets = [self._target(r, lang) for r in rels]
            i = out.cite(nid, label)
            said = _said(rels[0]) if kind in STATED else ""
            if lang == "en":
                text = f"{name} {VERBS['en'][kind]} {_join(targets, 'en')}"
                text += (f" from {start}" if start else "") + (f" until {until}" if until else "")
                text += f": “{said}”" if said else "."
            else:
                text = f"{name}" + (f"自{start}起" if start else "") + (f"至{until}" if until else "") + \
                    f"{VERBS['zh'][kind]}{'、'.join(targets)}" + (f"：“{said}”" if said else "。")
            out.add(text, [i])
        for src, r in inbound:
            i = out.cite(src.notice, r.source_label)
            part = "" if r.target_label == "*" else (f" (clause {r.target_label})" if lang == "en"
                                                      else f"第{r.target_label}条")
            other = self.name(src.notice, lang)
            said = _said(r) if r.kind in STATED else ""
            if lang == "en":
                text = f"{name}{part} is {PASSIVE[r.kind]} by {other}" + (f" from {r.start}" if r.start else "") + \
                    (f" until {r.until}" if r.until else "") + (f": “{said}”" if said else ".")
            else:
                text = f"{other}" + (f"自{r.start}起" if r.start else "") + (f"至{r.until}" if r.until else "") + \
                    f"{VERBS['zh'][r.kind]}{name}{part}" + (f"：“{said}”" if said else "。")
            out.add(text, [i])
        if not paired and groups:
            first_kind, first_label = next(iter(groups))[:2]
            acted = {r.target for r in outbound}
            for other in others:
                if other in acted or other not in self.regime.structures:
                    continue
                verb = VERBS["en"][first_kind]
                out.add(f"{self.name(other, 'en')} is not among the notices {name} {verb}." if lang == "en" else
                        f"{self.name(other, 'zh')}不在{name}{VERBS['zh'][first_kind]}之列。", [out.cite(nid, first_label)])

    def amendments(self, out: Sentences, nid: str, as_of: str) -> None:
        """What a notice itself adds, modifies or removes (in another document or a catalogue): its top-level
        clauses that say so, quoted and cited."""
        from tracker.diff.explain import where

        st = self.regime.structures.get(nid)
        if st is None or not st.issued or st.issued > as_of:
            return
        name = self.name(nid, out.lang)
        for c in [c for c in st.clauses if c.kind == "clause" and "." not in c.label and CHANGE_VERB.search(c.text)][:4]:
            en_where, zh_where = where(c.label)
            text = f"{c.marker}{c.text}"
            if out.lang == "en":
                from tracker.structure.glossary import gloss

                g = gloss(text) if re.search(r"[\u4e00-\u9fff]", text) else ""
                out.add(f"{name}, {en_where}: “{text}”" + (f" (glossary: {g})" if g else ""), [out.cite(nid, c.label)])
            else:
                out.add(f"{name}{zh_where}规定：“{text}”", [out.cite(nid, c.label)])

    def _target(self, r, lang: str) -> str:
        base = self.name(r.target, lang) if r.target in self.notices else r.target_text or r.target
        if r.target_label != "*":
            base += f" clause {r.target_label}" if lang == "en" else f"第{r.target_label}条"
        return base

    # -- items -----------------------------------------------------------------------------------------------
    def items(self, out: Sentences, elements: list[str], codes: list[str], customs: list[str], notices: list[str],
              as_of: str, want_hs: bool, question: str = "") -> None:
        """Control items by element, code or customs number (or all of a named notice). With many, the ones that
        hold the question's other words best (磷酸铁锂 among lithium items) are kept."""
        from tracker.answer.coverage import coverage

        lang = out.lang
        for nid, st in self.regime.structures.items():
            if not st.issued or st.issued > as_of or (notices and nid not in notices):
                continue
            rows = [i for i in st.items if i.label.startswith("annex")] or list(st.items)
            picked = [i for i in rows if (elements and i.elements[:1] and i.elements[0] in elements)
                      or (codes and any(i.code == c or i.code.startswith(c + ".") for c in codes))
                      or (customs and any(h in (i.hs10 + i.hs8) or any(x.startswith(h) for x in i.hs10 + i.hs8)
                                          for h in customs))]
            if not picked and notices and nid in notices and not (elements or codes or customs):
                picked = rows
            if not picked:
                continue
            if question and len(picked) > 4 and not (codes or customs):
                heading = {i.label: " ".join((st.clause(i.label).heading if st.clause(i.label) else ())) for i in picked}
                fit = {i.label: coverage(question, f"{heading[i.label]} {i.code} {i.name} {i.description}")
                       for i in picked}
                best = max(fit.values())
                if best > 0:
                    picked = [i for i in picked if fit[i.label] >= 0.6 * best]
            name = self.name(nid, lang)
            by_family: dict[str, list] = {}
            for item in picked:
                family = item.code.split(".")[0] if item.code else item.name
                by_family.setdefault(family, []).append(item)
            if sum(1 for f in by_family if not re.match(r"\d[A-E]\d{3}", f)) > 2:  # items without codes: one line
                uncoded = [i for f, g in by_family.items() if not re.match(r"\d[A-E]\d{3}", f) for i in g]
                by_family = {f: g for f, g in by_family.items() if re.match(r"\d[A-E]\d{3}", f)}
                by_family["、".join(i.name for i in uncoded[:8])] = uncoded
            for group in list(by_family.values())[:4]:
                cites = [out.cite(nid, i.label) for i in group[:4]]
                elems = ", ".join(dict.fromkeys(e for i in group for e in i.elements[:1]))
                term = lookup(elems.split(", ")[0]) if elems else None
                label_el = _term(term, lang) if term \
                    else ""
                unique_codes = list(dict.fromkeys(i.code for i in group if i.code))
                codes_txt = ("、" if lang == "zh" else ", ").join(unique_codes)
                names = ("；" if lang == "zh" else "; ").join(
                    f"{i.code} {i.name}{'【保留】' if i.reserved and '保留' not in i.name else ''}".strip()
                    for i in group[:6])
                if lang == "en":
                    text = f"{name} controls {label_el + ' ' if label_el else ''}items" + \
                           (f" under {codes_txt}" if codes_txt else " (no control codes printed)") + f": {names}."
                else:
                    text = f"{name}将{label_el}相关物项列入管制" + (f"，管制编码{codes_txt}" if codes_txt else "") + \
                           f"：{names}。"
                out.add(text, cites)
                if want_hs or customs:
                    for item in group[:6]:
                        numbers = item.hs10 or item.hs8
                        if not numbers:
                            continue
                        kind = ("reference customs numbers" if item.hs10 else "reference tariff lines") if lang == "en" \
                            else ("参考海关商品编号" if item.hs10 else "参考税则号列")
                        joined = ", ".join(numbers) if lang == "en" else "、".join(numbers)
                        out.add(f"{item.code or item.name}: {kind} {joined} (indicative only)." if lang == "en" else
                                f"{item.code or item.name}的{kind}为{joined}（仅供参考）。", [out.cite(nid, item.label)])

    # -- elements / comparison / timeline --------------------------------------------------------------------
    def elements(self, out: Sentences, nid: str) -> None:
        st = self.regime.structures.get(nid)
        if st is None:
            return
        body = [i for i in st.items if not i.label.startswith("annex")] or list(st.items)
        symbols = list(dict.fromkeys(i.elements[0] for i in body if i.elements))
        if not symbols:
            return
        cites = [out.cite(nid, i.label) for i in body if i.elements][:8]
        names = [lookup(s_) for s_ in symbols]
        if out.lang == "en":
            listed = ", ".join(_term(t, "en") for t in names if t)
            out.add(f"{self.name(nid, 'en')} covers {len(symbols)} elements or materials: {listed}.", cites)
        else:
            listed = "、".join(_term(t, "zh") for t in names if t)
            out.add(f"{self.name(nid, 'zh')}涉及{len(symbols)}种元素或材料：{listed}。", cites)

    def compare(self, out: Sentences, a: str, b: str) -> None:
        from tracker.diff.engine import compare

        if a not in self.regime.structures or b not in self.regime.structures:
            return
        cs = compare(self.regime.structures[a], self.regime.structures[b], None)
        for first, second in ((a, b), (b, a)):
            only = cs.summary["elements_only_in"][second]
            codes = cs.summary["codes_only_in"][second]
            if not only:
                continue
            rows = [i for i in self.regime.structures[second].items if i.elements[:1] and
                    i.elements[0] in {e["symbol"] for e in only}]
            cites = [out.cite(second, i.label) for i in rows[:6]]
            fams = {sym: sorted({c.split(".")[0] for c in cs_}) for sym, cs_ in codes.items()}
            if out.lang == "en":
                listed = "; ".join(f"{e['en']} ({e['symbol']}) {', '.join(fams.get(e['symbol'], []))}" for e in only)
                out.add(f"Compared with {self.name(first, 'en')}, {self.name(second, 'en')} adds: {listed}.", cites)
            else:
                listed = "；".join(f"{e['zh']}（{e['symbol']}）{'、'.join(fams.get(e['symbol'], []))}" for e in only)
                out.add(f"与{self.name(first, 'zh')}相比，{self.name(second, 'zh')}新增：{listed}。", cites)
            break
        both = cs.summary["elements_in_both"]
        if both:
            listed = ", ".join(f"{e['en']} ({e['symbol']})" for e in both)
            out.add(f"Both name {listed}." if out.lang == "en" else
                    f"两者都涉及{'、'.join(e['zh'] for e in both)}。", [out.cite(a, "title"), out.cite(b, "title")])
        out.add(f"{self.name(a, out.lang)}: {cs.summary['reference_numbers'][a]}; {self.name(b, out.lang)}: "
                f"{cs.summary['reference_numbers'][b]}.", [out.cite(a, "title"), out.cite(b, "title")])

    def timeline(self, out: Sentences, nid: str, as_of: str) -> None:
        """Every change of state of the notice's provisions up to as_of."""
        from tracker.changes import EVENT

        for provision in self.regime.provisions(nid):
            prev = None
            for day in [d for d in self.regime.change_days() if d <= as_of]:
                cur = self.regime.state(provision, day)
                if cur is None or (prev and prev.status == cur.status):
                    prev = cur or prev
                    continue
                event = EVENT.get((cur.status, prev.status if prev else None), cur.status)
                cites = [out.cite(d["notice"], d["label"]) for d in cur.determined_by if d["label"]] or \
                    [out.cite(nid, "title")]
                what = self.name(nid, out.lang) if provision.label == "*" else \
                    (f"clause {provision.label} of {self.name(nid, 'en')}" if out.lang == "en"
                     else f"{self.name(nid, 'zh')}第{provision.label}项")
                word = event if out.lang == "en" else STATUS["zh"][cur.status]
                note = f" ({cur.note})" if out.lang == "en" and "before it took effect" in cur.note else ""
                out.add(f"{day}: {what}: {word}{note}." if out.lang == "en" else f"{day}：{what}{word}。", cites)
                prev = cur
            if provision.label == "*":
                break

    # -- entity lists ----------------------------------------------------------------------------------------
    def entities(self, out: Sentences, question: str, notices: list[str], as_of: str,
                 which: str | None = None) -> None:
        lang = out.lang
        for nid, st in self.regime.structures.items():
            if not st.issued or st.issued > as_of or (notices and nid not in notices):
                continue
            for r in st.relations:
                if r.kind != "lists_entities" or (which and r.list_name != which):
                    continue
                named = [e for e in r.entities if any(part.strip() and part.strip().lower() in question.lower()
                                                      for part in re.split(r"[/()（）]", e) if len(part.strip()) > 2)]
                if self._question_names_entity(question) and not named:
                    continue  # the question names an entity that is on another list
                name = self.name(nid, lang)
                rows = [c.label for c in st.clauses if c.kind == "annex_row"]
                cites = [out.cite(nid, r.source_label)] + [out.cite(nid, lab) for lab in rows[:1]]
                lst = r.list_name if lang == "en" else ("管控名单" if r.list_name == "control list" else "关注名单")
                sample = ("; ".join(named) if named else "; ".join(r.entities[:3]))
                when = r.start or st.issued
                if lang == "en":
                    out.add(f"{name} puts {len(r.entities)} entities on the {lst} from {when}"
                            + (f", including {sample}" if sample else "") + ".", cites)
                else:
                    out.add(f"{name}自{when}起将{len(r.entities)}家实体列入{lst}" + (f"，包括{sample}" if sample else "")
                            + "。", cites)
                self._dropped(out, nid, question, r.entities)
                self._count_mismatch(out, st, r, cites)

    def _count_mismatch(self, out: Sentences, st: NoticeStructure, r, cites: list[int]) -> None:
        """The notice's text names a number of entities that its current annex contradicts: say so."""
        said = {int(n) for c in st.clauses if c.kind in ("clause", "preamble") for n in re.findall(r"(\d+)家", c.text)}
        if said and len(r.entities) not in said:
            n = max(said)
            out.add(f"Note: the text of {self.name(st.notice, 'en')} says {n} entities, but its current annex lists "
                    f"{len(r.entities)}." if out.lang == "en" else
                    f"注意：{self.name(st.notice, 'zh')}正文称{n}家实体，但现行附件仅列{len(r.entities)}家。", cites)

    def _question_names_entity(self, question: str) -> bool:
        low = question.lower()
        return any(len(p.strip()) > 3 and p.strip().lower() in low
                   for st in self.regime.structures.values() for r in st.relations if r.kind == "lists_entities"
                   for e in r.entities for p in re.split(r"[/()（）]", e))

    def _dropped(self, out: Sentences, nid: str, question: str, now: tuple[str, ...]) -> None:
        """An entity the question names that an earlier version listed and the latest no longer does."""
        versions = self.store.conn.execute("SELECT seq, observed_on FROM version WHERE notice_id = ? AND lang = 'zh' "
                                           "ORDER BY seq", (nid,)).fetchall()
        for older, newer in zip(versions, versions[1:], strict=False):
            before = self.version(nid, "zh", older["seq"])
            listed = next((r.entities for r in before.relations if r.kind == "lists_entities"), ())
            for entity in set(listed) - set(now):
                parts = [p.strip() for p in re.split(r"[/()（）]", entity) if len(p.strip()) > 2]
                if any(p.lower() in question.lower() for p in parts):
                    i = out.cite(nid, "annex1")
                    out.add(f"{entity} was dropped from the annex of {self.name(nid, 'en')} in version {newer['seq']} "
                            f"(seen {newer['observed_on']})." if out.lang == "en" else
                            f"{entity}已在第{newer['seq']}版附件中删除（{newer['observed_on']}发现）。", [i])

    # -- versions --------------------------------------------------------------------------------------------
    def changes(self, out: Sentences, notices: list[str], reasons: set[str], embedder) -> None:
        lang = out.lang
        rows = self.store.conn.execute("SELECT notice_id, lang, seq, observed_on FROM version WHERE seq > 1 "
                                       "ORDER BY observed_on").fetchall()
        for row in rows:
            if notices and row["notice_id"] not in notices:
                continue
            if row["lang"] != "zh" and row["notice_id"] in {r["notice_id"] for r in rows if r["lang"] == "zh"}:
                continue
            changes = self.version_changes(row["notice_id"], row["lang"], row["seq"], embedder)
            if reasons:
                changes = [c for c in changes if set(c.reasons) & reasons] or ([] if not notices else changes)
            name = self.name(row["notice_id"], lang)
            for c in changes[:3]:
                i = out.cite(row["notice_id"], c.label)
                explanation = c.explanation_en if lang == "en" else c.explanation_zh
                out.add(f"{name} (version {row['seq']}, seen {row['observed_on']}): {explanation}" if lang == "en"
                        else f"{name}（第{row['seq']}版，{row['observed_on']}发现）：{explanation}", [i])


ACTS = ("suspends", "resumes", "repeals", "amends", "supersedes")
STATED = ("amends", "supersedes", "references")  # vague verbs: the sentence that states the relation is quoted
VERBS = {"en": {"suspends": "suspends", "resumes": "resumes", "repeals": "repeals", "amends": "amends",
                "supersedes": "replaces", "references": "refers to"},
         "zh": {"suspends": "暂停实施", "resumes": "恢复实施", "repeals": "废止", "amends": "调整",
                "supersedes": "取代", "references": "援引"}}
PASSIVE = {"suspends": "suspended", "resumes": "resumed", "repeals": "repealed", "amends": "amended",
           "supersedes": "replaced", "references": "referred to"}


def _said(r) -> str:
    return " ".join(r.evidence.split())[:300]


CHANGE_VERB = re.compile(r"新增|增列|修改|删除|删去|调整为|取消|移出|\badd(?:s|ed)?\b|\bamend|\bdelet|\bremov|\bmodif",
                         re.I)


def _term(t, lang: str) -> str:
    """'dysprosium (Dy)' / '镝（Dy）'; a material without a symbol is named once ('graphite', '石墨')."""
    if t.symbol == t.en:
        return t.en if lang == "en" else t.zh
    return f"{t.en} ({t.symbol})" if lang == "en" else f"{t.zh}（{t.symbol}）"


def _would(note: str) -> str:
    m = re.search(r"would have applied from (\d{4}-\d{2}-\d{2})", note)
    return m.group(1) if m else ""


def _join(parts: list[str], lang: str) -> str:
    if lang != "en" or len(parts) < 2:
        return "、".join(parts) if lang == "zh" else (parts[0] if parts else "")
    return ", ".join(parts[:-1]) + " and " + parts[-1]
