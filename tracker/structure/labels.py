"""Numbered blocks -> a clause tree with stable labels; annex tables -> parts and rows.

Chinese and English numbering share one ladder of ranks:
  rank 1: 第一条 / 一、 / I.      -> "1"
  rank 2: （一） / (I)            -> "1.1"
  rank 3: 1.                     -> "1.1.1"
  rank 4: （1） / (1)             -> "1.1.1.1"
  rank 5: a. / (a)               -> "1.1.1.a"
A block hangs under the nearest open block of a lower rank. Skipped levels and broken sequences still give a
tree (flat where they must) and a warning naming the notice.
"""

from __future__ import annotations

import re

from tracker.types import Block, Clause, ParsedAnnex, StructureWarning

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
CODE = re.compile(r"(?<![A-Za-z0-9.])\d[A-E]\d{3}(?:\.[a-z](?:\.\d{1,2})?)?(?![A-Za-z0-9])")
PART = re.compile(r"第([一二三四五六七八九十]+)部分")
SECTION = re.compile(r"^([一二三四五六七八九十]+)、")
SUBSECTION = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]")


def cn_number(text: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23, 一百 -> 100."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS.get(ch, 0)
    return total + current


def roman(text: str) -> int:
    values = [ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def rank_of(marker: str) -> tuple[int, str]:
    """(rank, label part) of a numbering marker; (0, "") when it is none."""
    m = marker.strip()
    inner = m.strip("（）()").rstrip("、.．")
    if m.startswith("第") and m.endswith("条"):
        return 1, str(cn_number(m[1:-1]))
    if m.endswith("、") and all(c in "一二三四五六七八九十百" for c in m[:-1]):
        return 1, str(cn_number(m[:-1]))
    if re.fullmatch(r"[IVXL]+\.", m):
        return 1, str(roman(m[:-1]))
    if m[:1] in "（(" and all(c in "一二三四五六七八九十" for c in inner) and inner:
        return 2, str(cn_number(inner))
    if m[:1] in "（(" and re.fullmatch(r"[IVXL]+", inner):
        return 2, str(roman(inner))
    if re.fullmatch(r"\d{1,2}[.．、]", m):
        return 3, str(int(m[:-1]))
    if m[:1] in "（(" and inner.isdigit():
        return 4, str(int(inner))
    if re.fullmatch(r"[a-z][.．]", m) or re.fullmatch(r"\([a-z]\)", m):
        return 5, inner
    return 0, ""


def short(text: str, limit: int = 40) -> str:
    head = re.split(r"[。：:；;]", text, maxsplit=1)[0]
    return head if len(head) <= limit else head[: limit - 1] + "…"


def build_clauses(notice: str, blocks: tuple[Block, ...], source: str) -> tuple[list[Clause], list[StructureWarning]]:
    clauses: list[Clause] = []
    warnings: list[StructureWarning] = []
    stack: list[tuple[int, str, str]] = []  # (rank, label, text) of the open clauses
    last_value: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    paras: dict[str, int] = {}
    preamble = signature = 0

    def unique(label: str) -> str:
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            warnings.append(StructureWarning(notice, f"numbering repeats {label!r}; second one labelled "
                                                     f"{label}~{seen[label]}"))
            return f"{label}~{seen[label]}"
        return label

    for block in blocks:
        if block.kind == "signature":
            signature += 1
            clauses.append(Clause("signature" if signature == 1 else f"signature.{signature}", block.text,
                                  kind="signature", source=source))
            continue
        rank, part = rank_of(block.marker) if block.marker else (0, "")
        if rank == 0:
            if not stack:
                preamble += 1
                clauses.append(Clause(f"preamble.{preamble}", _with_marker(block), kind="preamble", source=source))
            else:
                owner = stack[0] if stack[0][0] == 1 else stack[-1]
                paras[owner[1]] = paras.get(owner[1], 0) + 1
                clauses.append(Clause(f"{owner[1]}.p{paras[owner[1]]}", _with_marker(block), kind="para",
                                      heading=tuple(short(t) for _, _, t in stack[: stack.index(owner) + 1]),
                                      source=source))
            continue
        while stack and stack[-1][0] >= rank:
            stack.pop()
        parent = stack[-1] if stack else None
        if parent is not None and rank - parent[0] > 1:
            warnings.append(StructureWarning(notice, f"numbering skips a level: {block.marker!r} directly under "
                                                     f"{parent[1]!r}; labelled flat"))
        key = (parent[1] if parent else "", rank)
        repeated = (f"{parent[1]}.{part}" if parent else part) in seen
        if part.isdigit():
            value = int(part)
            expected = last_value.get(key, 0) + 1
            if value != expected and not repeated:  # a repeat is reported once, as a repeat
                warnings.append(StructureWarning(notice, f"numbering jumps to {block.marker!r} where "
                                                         f"{expected} was expected (under {key[0] or 'top'})"))
            last_value[key] = value
        label = unique(f"{parent[1]}.{part}" if parent else part)
        clauses.append(Clause(label, block.text, block.marker, "clause",
                              tuple(short(t) for _, _, t in stack), source))
        stack.append((rank, label, block.text))
    return clauses, warnings


QUESTION = re.compile(r"^(?:问|問|Q|Question)\s*[:：]", re.I)
ANSWER = re.compile(r"^(?:答|A|Answer)\s*[:：]", re.I)


def qa_clauses(notice: str, blocks: tuple[Block, ...], source: str) -> tuple[list[Clause], list[StructureWarning]]:
    """An interpretation printed as questions and answers (问：/答：, Q:/A:): question n is "q<n>", its answer
    paragraphs "q<n>.a", "q<n>.a2"... Pages numbered like a notice (一、 … as FAQ headings) use build_clauses."""
    if not any(QUESTION.match(b.text) for b in blocks):
        return build_clauses(notice, blocks, source)
    clauses: list[Clause] = []
    question, answers, preamble, signature = 0, 0, 0, 0
    asked = ""
    for block in blocks:
        text = _with_marker(block)
        if block.kind == "signature":
            signature += 1
            clauses.append(Clause("signature" if signature == 1 else f"signature.{signature}", text,
                                  kind="signature", source=source))
        elif QUESTION.match(text):
            question, answers, asked = question + 1, 0, text
            clauses.append(Clause(f"q{question}", text, kind="clause", source=source))
        elif question == 0:
            preamble += 1
            clauses.append(Clause(f"preamble.{preamble}", text, kind="preamble", source=source))
        else:
            answers += 1
            clauses.append(Clause(f"q{question}.a" + (str(answers) if answers > 1 else ""), text, kind="para",
                                  heading=(short(asked, 60),), source=source))
    return clauses, []


def _with_marker(block: Block) -> str:
    return f"{block.marker}{block.text}" if block.marker else block.text


def annex_clauses(n: int, annex: ParsedAnnex) -> list[Clause]:
    """Parts, rows and loose paragraphs of one annex. Rows are labelled by control code where they have one."""
    out: list[Clause] = []
    base = f"annex{n}"
    seen: set[str] = set()
    header: tuple[str, ...] = ()
    part = ""
    part_major = 0
    for para_no, line in enumerate(_prose_lines(annex), 1):
        out.append(Clause(f"{base}.p{para_no}", line, kind="annex_para", heading=(base,), source=annex.url))
    for table in annex.tables:
        rows = list(table.rows)
        caption_lines = [c.strip() for c in table.caption.splitlines() if c.strip()]
        marker_line = next((c for c in reversed(caption_lines) if PART.search(c) or SECTION.match(c)
                            or SUBSECTION.match(c)), "")
        if marker_line:
            if (m := PART.search(marker_line)) or (m := SECTION.match(marker_line)):
                part_major = cn_number(m.group(1))
                part = f"part{part_major}"
            elif m := SUBSECTION.match(marker_line):
                part = f"part{part_major or 1}.{cn_number(m.group(1))}"
            out.append(Clause(f"{base}.{part}", marker_line, kind="annex_para", heading=(base,), source=annex.url))
        if rows and _is_header(rows[0]):
            if rows[0] == header and not marker_line:
                rows = rows[1:]  # the header repeated on a continuation page
            else:
                header = rows[0]
                rows = rows[1:]
        prefix = f"{base}.{part}" if part else base
        code_col = next((i for i, h in enumerate(header) if "编码" in h or "code" in h.lower()), None)
        no_col = next((i for i, h in enumerate(header) if h in ("序号", "No.", "No")), None)
        codes = [row[code_col] for row in rows if code_col is not None and code_col < len(row)]
        by_code = len(codes) == len(set(codes))  # rows keyed by control code only where codes are unique
        for i, row in enumerate(rows, 1):
            code = row[code_col] if by_code and code_col is not None and code_col < len(row) else ""
            key = code if CODE.fullmatch(code or "") else (f"row{row[no_col]}" if no_col is not None
                                                           and no_col < len(row) and row[no_col].isdigit()
                                                           else f"row{i}")
            label = f"{prefix}.{key}"
            k = 2
            while label in seen:
                label = f"{prefix}.{key}~{k}"
                k += 1
            seen.add(label)
            text = "；".join(f"{h}：{c}" for h, c in zip(header, row, strict=False) if c) if header else " ".join(row)
            out.append(Clause(label, text, kind="annex_row", heading=(base, part) if part else (base,),
                              source=annex.url, cells=tuple(row), header=header))
    return out


def _is_header(row: tuple[str, ...]) -> bool:
    return not any(CODE.search(c) or re.search(r"\d{6,}", c) for c in row) and any(
        h in "".join(row) for h in ("序号", "名称", "编码", "描述", "No.", "Name", "文号", "编号"))


def _prose_lines(annex: ParsedAnnex) -> list[str]:
    lines = []
    for page in annex.pages:
        for line in (page.prose or "").splitlines():
            line = line.strip()
            if line and not PART.search(line) and not SECTION.match(line) and not SUBSECTION.match(line):
                lines.append(line)
    return lines
