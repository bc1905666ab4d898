"""Chunks follow structure: a clause with its heading path and the notice's number, title and date; annex rows
grouped by control-code family (1C905.a/.b/.c) or in fives; both languages. Keys are stable citation keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tracker.understand import NoticeStructure

GROUP = 5
QUESTION = re.compile(r"[？?]\s*$")  # an interpretation's question (问：…？ / 一、…？ / Q: …?)
CLAUSE_KINDS = ("clause", "para", "preamble")


@dataclass(frozen=True)
class Chunk:
    key: str
    notice: str
    lang: str
    version: int
    labels: tuple[str, ...]
    kind: str
    text: str
    body: str
    url: str
    issued: str | None
    id: int = 0  # the row id in the store (and in the FAISS index) once stored

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _family(label: str) -> str | None:
    m = re.search(r"(\d[A-E]\d{3})(?:\.[a-z](?:\.\d+)?)?(?:~\d+)?$", label)
    return m.group(1) if m else None


def chunks_of(st: NoticeStructure, with_annexes: bool = True) -> list[Chunk]:
    """`with_annexes=False` for an English page whose annexes are the Chinese files already indexed."""
    title = st.title if st.lang == "zh" else (st.title_en or st.title)
    head = f"{st.number or ''} {title}（{st.issued}）" if st.lang == "zh" else f"{title} ({st.issued})"
    out: list[Chunk] = [Chunk(f"{st.notice}:{st.lang}:title", st.notice, st.lang, st.version, ("title",), "title",
                              head, title, st.url, st.issued)]
    rows: list = []
    asked: dict[str, str] = {}  # an interpretation's questions: each is indexed with its answer, not alone
    for clause in st.clauses:
        if st.kind == "interpretation" and QUESTION.search(clause.text) and "." not in clause.label:
            asked[clause.label] = f"{clause.marker}{clause.text}"
            continue
        if clause.kind in CLAUSE_KINDS:
            path = " > ".join(clause.heading)
            question = asked.get(clause.label.split(".")[0]) if st.kind == "interpretation" else None
            if question:
                path = question
            text = f"{head}\n{path + ' > ' if path else ''}{clause.marker}{clause.text}"
            out.append(Chunk(f"{st.notice}:{st.lang}:{clause.label}", st.notice, st.lang, st.version,
                             (clause.label,), clause.kind, text, f"{clause.marker}{clause.text}", clause.source,
                             st.issued))
        elif not with_annexes:
            continue
        elif clause.kind == "annex_row":
            rows.append(clause)
        elif clause.kind == "annex_para" and not clause.label.split(".")[-1].startswith("part") \
                and len(clause.text) >= 8:  # not the bare "附件" / "Annex" heading
            out.append(Chunk(f"{st.notice}:{st.lang}:{clause.label}", st.notice, st.lang, st.version,
                             (clause.label,), "annex_para", f"{head}\n{clause.text}", clause.text, clause.source,
                             st.issued))
    out += _row_groups(st, head, rows)
    return out


def _row_groups(st: NoticeStructure, head: str, rows: list) -> list[Chunk]:
    groups: list[list] = []
    for row in rows:
        prefix = row.label.rsplit(".", 1)[0] if "." in row.label else row.label
        fam = _family(row.label)
        last = groups[-1] if groups else None
        if last and fam and _family(last[0].label) == fam and last[0].label.startswith(prefix):
            last.append(row)
        elif last and not fam and not _family(last[0].label) and len(last) < GROUP \
                and last[0].label.rsplit(".", 1)[0] == prefix:
            last.append(row)
        else:
            groups.append([row])
    out = []
    for group in groups:
        first = group[0]
        fam = _family(first.label)
        base = first.label[: first.label.index(fam)].rstrip(".") if fam else first.label.rsplit(".", 1)[0]
        key_label = f"{base}.{fam}" if fam and len(group) > 1 else (
            first.label if len(group) == 1 else f"{first.label}-{group[-1].label.rsplit('.', 1)[-1]}")
        path = " > ".join(h for h in first.heading if h)
        body = "\n".join(r.text for r in group)
        out.append(Chunk(f"{st.notice}:{st.lang}:{key_label}", st.notice, st.lang, st.version,
                         tuple(r.label for r in group), "annex_rows", f"{head}\n{path}\n{body}", body, first.source,
                         st.issued))
    return out
