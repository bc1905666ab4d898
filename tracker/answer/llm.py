"""The LLM answerer: a chat model (through langchain) writes the answer from retrieved chunks; tracker keeps only
the sentences that cite retrieved chunks, renumbers the citations and resolves them.

TRACKER_LLM="provider:model" picks the model: openai, vllm, ollama and openai-compatible all speak OpenAI's
chat-completions protocol and go through `langchain_openai.ChatOpenAI`. langchain (and openai) are imported only
inside the functions that need them, so importing tracker never imports them.

Prompts are versioned files prompts/<name>.md: the system part, a line "---user---", then the user template with
{question} {as_of} {lang} {facts} {sources} placeholders. The version recorded in the Answer is the file's stem.
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import ConfigError, TrackerError
from tracker.index.search import Hit
from tracker.types import Answer, Citation

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
DEFAULT_PROMPT = "answer-v2"  # v2: official interpretations are marked and must be labelled
USER_SEPARATOR = "---user---"
CANNOT_ANSWER = "CANNOT_ANSWER"
QUOTE_CHARS = 200

# provider -> default base URL (None: the library's default, i.e. api.openai.com or OPENAI_BASE_URL)
OPENAI_PROTOCOL = {
    "openai": None,
    "vllm": "http://localhost:8000/v1",
    "ollama": "http://localhost:11434/v1",
    "openai-compatible": None,
}
ALIASES = {"openai_compatible": "openai-compatible", "openai-compat": "openai-compatible", "compatible": "openai-compatible"}
LOCAL_KEY = "EMPTY"  # vLLM / Ollama accept any key; the client insists on one

REFUSAL = {
    "zh": "根据截至{as_of}检索到的公告，无法回答该问题。",
    "en": "The retrieved notices (as of {as_of}) do not answer this question.",
}


class LLMError(TrackerError):
    """The model server could not be reached, failed, or sent an unusable reply."""


class LLMConfigError(LLMError, ConfigError):
    """A bad TRACKER_LLM spec, a missing base URL or key, a missing prompt file."""


# -- settings --------------------------------------------------------------------------------------------------
def parse_llm_setting(value: str) -> tuple[str, str]:
    """"openai:gpt-4o-mini" -> ("openai", "gpt-4o-mini"). The model may itself contain colons ("ollama:qwen2.5:7b")."""
    supported = ", ".join(OPENAI_PROTOCOL)
    example = "e.g. TRACKER_LLM=openai:gpt-4o-mini, vllm:Qwen2.5-7B-Instruct or ollama:qwen2.5"
    text = (value or "").strip()
    if ":" not in text:
        raise LLMConfigError(f"TRACKER_LLM={value!r} is not provider:model ({example})")
    provider, model = (part.strip() for part in text.split(":", 1))
    provider = ALIASES.get(provider.lower(), provider.lower())
    if not provider or not model:
        raise LLMConfigError(f"TRACKER_LLM={value!r} needs both a provider and a model ({example})")
    if provider not in OPENAI_PROTOCOL:
        raise LLMConfigError(f"TRACKER_LLM={value!r}: unknown provider {provider!r}; supported: {supported} "
                             f"({example})")
    return provider, model


# -- prompt ----------------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{(question|as_of|lang|facts|sources)\}")
# an opening or closing tag of the blocks we delimit data with, however spaced or cased: <source, </ sources, <facts
_TAG = re.compile(r"<(\s*/?\s*(?:sources?|facts)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str

    def render(self, question: str, as_of: str, lang: str, hits: list[Hit], facts: list[str],
               interpretations: frozenset[str] = frozenset()) -> tuple[str, str]:
        """(system message, user message). Substitution is one pass: a value containing "{sources}" stays text.
        `interpretations`: ids of official interpretations, whose sources are marked as such."""
        values = {"question": escape_data(question.strip()), "as_of": as_of, "lang": lang,
                  "facts": render_facts(facts), "sources": render_sources(hits, interpretations)}
        return self.system, _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.user)


def load_prompt(name: str | Path = DEFAULT_PROMPT) -> Prompt:
    """A prompt by version name ("answer-v2" -> prompts/answer-v2.md) or by path."""
    path = Path(name)
    if path.suffix != ".md" and not path.is_absolute() and len(path.parts) == 1:
        path = PROMPTS_DIR / f"{name}.md"
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise LLMConfigError(f"cannot read prompt file {path}: {exc.strerror or exc}") from exc
    lines = text.splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == USER_SEPARATOR]
    if len(marks) != 1:
        raise LLMConfigError(f"prompt file {path} must contain exactly one line {USER_SEPARATOR!r} "
                             f"between the system part and the user template")
    system = "\n".join(lines[: marks[0]]).strip()
    user = "\n".join(lines[marks[0] + 1:]).strip() + "\n"
    missing = [p for p in ("question", "sources") if "{" + p + "}" not in user]
    if not system or missing:
        raise LLMConfigError(f"prompt file {path}: empty system part or user template without "
                             f"{', '.join('{' + p + '}' for p in missing) or 'text'}")
    return Prompt(path.stem, system, user)


def escape_data(text: str) -> str:
    """Neutralise any tag that could open or close a data block (<source>, </source>, <sources>, <facts> ...)."""
    return _TAG.sub(r"&lt;\1", text)


INTERPRETATION_LABEL = {"en": "official interpretation (not the legal text)", "zh": "官方解读（非法律文本）"}


def render_sources(hits: list[Hit], interpretations: frozenset[str] = frozenset()) -> str:
    out = []
    for hit in _unique(hits):
        c = hit.chunk
        attrs = f'key="{html.escape(c.key, quote=True)}"'
        if c.issued:
            attrs += f' issued="{html.escape(c.issued, quote=True)}"'
        if c.notice in interpretations:
            attrs += f' kind="{INTERPRETATION_LABEL["en"]}"'
        out.append(f"<source {attrs}>\n{escape_data(c.text.strip())}\n</source>")
    return "\n".join(out)


def render_facts(facts: list[str]) -> str:
    lines = [" ".join(str(f).split()) for f in facts]
    return "\n".join(f"- {escape_data(line)}" for line in lines if line) or "(none)"


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for hit in hits:
        if hit.chunk.key not in seen:
            seen.add(hit.chunk.key)
            out.append(hit)
    return out


# -- reading the reply -----------------------------------------------------------------------------------------
_GROUP = re.compile(r"\[([^\[\]\n]{1,300})\]|【([^【】\n]{1,300})】")
_SPLIT_KEYS = re.compile(r"[,;，；、\s]+")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_CLOSERS = "\"'”’」』）)"
_ZH_END = "。！？"
_EN_END = ".!?"
_ABBREV = {"no", "nos", "art", "arts", "para", "paras", "sec", "fig", "mr", "mrs", "ms", "dr", "st", "co", "ltd",
           "inc", "corp", "u.s", "u.k", "e.g", "i.e", "vs", "cf", "approx"}
_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


def _group_keys(match: re.Match, valid: set[str]) -> list[str] | None:
    """Valid keys cited by a bracket group; None when a 【】 group is ordinary text (e.g. 【发布文号】)."""
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    parts = [p.strip("`'\" ") for p in _SPLIT_KEYS.split(inner) if p.strip("`'\" ")]
    keys = [p for p in parts if p in valid]
    if match.group(2) is not None and (not parts or len(keys) != len(parts)):
        return None
    return keys


def _sentence_end(text: str, j: int) -> tuple[int, bool]:
    """Where a sentence ending just before `j` really ends: past closing quotes and any citation groups (and a
    stray period after them) that follow it. Also tells whether citations were found there."""
    n = len(text)
    while j < n and text[j] in _CLOSERS:
        j += 1
    end, cited = j, False
    while True:
        k = end
        while k < n and text[k] in " \t":
            k += 1
        m = _GROUP.match(text, k)
        if not m or m.group(2) is not None:
            return end, cited
        end, cited = m.end(), True
        while end < n and text[end] in _EN_END + _ZH_END:  # "licence. [k1]." - the second dot too
            end += 1


def split_sentences(line: str) -> list[str]:
    """Sentences of one line, each with its trailing citations and whitespace; "".join(result) == line.

    Boundaries: 。！？ always; . ! ? before whitespace or the end, except after an abbreviation ("No. 61",
    "e.g.") or before a lowercase letter or a digit; any of them when citations follow. Never inside [brackets]
    (keys contain dots)."""
    pieces: list[str] = []
    start = i = 0
    n = len(line)
    while i < n:
        m = _GROUP.match(line, i)
        if m:
            i = m.end()
            continue
        ch = line[i]
        if ch not in _ZH_END and ch not in _EN_END:
            i += 1
            continue
        j = i + 1
        while j < n and (line[j] in _EN_END or line[j] in _ZH_END):
            j += 1
        end, cited = _sentence_end(line, j)
        if ch in _EN_END and not cited:
            word = _WORD.search(line[start:i])
            nxt = line[end:].lstrip()[:1]
            if (end < n and line[end] not in " \t") or nxt.islower() or nxt.isdigit() or (
                    ch == "." and word and word.group(1).lower().rstrip(".") in _ABBREV):
                i = j
                continue
        while end < n and line[end] in " \t":
            end += 1
        pieces.append(line[start:end])
        start = i = end
    if start < n:
        pieces.append(line[start:])
    # a piece that is only citations (e.g. "[k1]" after a boundary the model placed oddly) joins the previous one
    merged: list[str] = []
    for piece in pieces:
        if merged and not _CONTENT.search(_GROUP.sub("", piece)):
            merged[-1] = merged[-1].rstrip() + " " + piece.strip() + piece[len(piece.rstrip()):]
        else:
            merged.append(piece)
    return merged


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;:!?，。；：！？）)])", r"\1", text)
    return text


@dataclass(frozen=True)
class Resolved:
    text: str  # the kept sentences, citations renumbered [1], [2] ... in order of first use
    keys: tuple[str, ...]  # the cited keys; keys[i] is citation [i + 1]
    dropped_sentences: int
    dropped_keys: tuple[str, ...]  # cited but not retrieved


def resolve_citations(reply: str, valid: set[str]) -> Resolved:
    """Keep sentences that cite at least one retrieved key; drop the other citations and sentences; renumber."""
    numbering: dict[str, int] = {}
    dropped = 0
    bad: list[str] = []
    lines_out: list[str] = []
    for line in _THINK.sub("", reply).splitlines():
        kept: list[str] = []
        for piece in split_sentences(line):
            cited: list[str] = []
            for m in _GROUP.finditer(piece):
                keys = _group_keys(m, valid)
                if keys is None:
                    continue
                cited += keys
                inner = m.group(1) if m.group(1) is not None else m.group(2)
                bad += [p for p in _SPLIT_KEYS.split(inner) if p and p not in valid]
            if not cited:
                if _CONTENT.search(_GROUP.sub("", piece)):
                    dropped += 1
                continue

            def number(m: re.Match) -> str:
                keys = _group_keys(m, valid)
                if keys is None:
                    return m.group(0)
                nums: list[int] = []
                for key in keys:
                    nums.append(numbering.setdefault(key, len(numbering) + 1))
                return " ".join(f"[{k}]" for k in dict.fromkeys(nums))

            kept.append(_tidy(_GROUP.sub(number, piece)))
        text = "".join(kept).strip()
        if text:
            lines_out.append(text)
    return Resolved("\n".join(lines_out), tuple(numbering), dropped, tuple(dict.fromkeys(bad)))


def is_cannot_answer(reply: str) -> bool:
    return CANNOT_ANSWER in _THINK.sub("", reply).upper()


def refusal(lang: str, as_of: str) -> str:
    return REFUSAL.get(lang, REFUSAL["en"]).format(as_of=as_of)


# -- the answerer ----------------------------------------------------------------------------------------------
class LLMAnswerer:
    """Answers from retrieved hits with a chat model. `spec` is TRACKER_LLM ("provider:model"); `base_url` and
    `api_key` come from the settings, else from TRACKER_LLM_BASE_URL / TRACKER_LLM_API_KEY (read here, at call
    time), else the provider's default (vllm: localhost:8000, ollama: localhost:11434, openai: api.openai.com)."""

    def __init__(self, spec: str, base_url: str | None = None, api_key: str | None = None, timeout: float = 30,
                 *, max_retries: int = 2, prompt: str | Path = DEFAULT_PROMPT) -> None:
        self.provider, self.model = parse_llm_setting(spec)
        self.prompt = load_prompt(prompt)
        self.timeout = timeout
        base_url = base_url or os.environ.get("TRACKER_LLM_BASE_URL") or OPENAI_PROTOCOL[self.provider]
        if hasattr(api_key, "get_secret_value"):  # a pydantic SecretStr straight from the settings
            api_key = api_key.get_secret_value()
        api_key = api_key or os.environ.get("TRACKER_LLM_API_KEY")
        if self.provider == "openai-compatible" and not base_url:
            raise LLMConfigError(f"TRACKER_LLM={spec}: openai-compatible needs a base URL "
                                 f"(set TRACKER_LLM_BASE_URL, e.g. http://127.0.0.1:8000/v1)")
        if self.provider == "openai" and not api_key and not os.environ.get("OPENAI_API_KEY"):
            raise LLMConfigError(f"TRACKER_LLM={spec}: no API key (set TRACKER_LLM_API_KEY or OPENAI_API_KEY)")
        if not api_key and self.provider != "openai":
            api_key = LOCAL_KEY
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        self.answerer = f"llm:{self.provider}:{self.model}"

        from langchain_openai import ChatOpenAI  # lazy: importing tracker never imports langchain

        self._chat = ChatOpenAI(model=self.model, base_url=self.base_url, api_key=api_key, temperature=0,
                                timeout=timeout, max_retries=max_retries, use_responses_api=False)

    def messages(self, question: str, as_of: str, lang: str, hits: list[Hit], facts: list[str],
                 interpretations: frozenset[str] = frozenset()) -> tuple[str, str]:
        """The (system, user) messages that `answer` sends."""
        return self.prompt.render(question, as_of, lang, hits, facts, interpretations)

    def complete(self, system: str, user: str) -> str:
        """One chat completion; any transport or server failure becomes an LLMError naming the base URL."""
        import openai
        from langchain_core.messages import HumanMessage, SystemMessage

        where = f"model server {self.base_url} ({self.provider}:{self.model})"
        try:
            reply = self._chat.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except Exception as exc:  # the model call is a boundary: whatever fails there is the server's reply
            if isinstance(exc, openai.APITimeoutError):
                msg = f"{where} timed out after {self.timeout:g} s"
            elif isinstance(exc, openai.APIConnectionError):
                msg = f"cannot reach {where}: {_root_cause(exc)}"
            elif isinstance(exc, openai.APIStatusError):
                msg = f"{where} answered HTTP {exc.status_code}: {_one_line(exc.message)}"
            elif isinstance(exc, OSError) or type(exc).__module__.split(".")[0].startswith(("httpx", "httpcore")):
                msg = f"cannot reach {where}: {_root_cause(exc)}"
            else:
                msg = f"{where} sent an unusable reply: {type(exc).__name__}: {_one_line(exc)}"
            raise LLMError(msg, url=self.base_url) from exc
        return _text_of(reply.content)

    def answer(self, question: str, as_of: str, lang: str, hits: list[Hit], facts: list[str],
               interpretations: frozenset[str] = frozenset()) -> Answer:
        """`interpretations`: ids of official interpretations; a kept sentence citing one always says so."""
        started = time.perf_counter()
        hits = _unique(hits)
        retrieved = tuple((h.chunk.key, float(h.score)) for h in hits)

        def make(text: str, cannot: bool, citations: tuple[Citation, ...] = ()) -> Answer:
            return Answer(question=question, as_of=(as_of,), answer=text, cannot_answer=cannot, citations=citations,
                          retrieved=retrieved, latency_ms=round((time.perf_counter() - started) * 1000, 1),
                          answerer=self.answerer, prompt_version=self.prompt.version, lang=lang)

        if not hits:  # nothing to answer from: no need to ask
            return make(refusal(lang, as_of), True)
        system, user = self.messages(question, as_of, lang, hits, facts, interpretations)
        reply = self.complete(system, user)
        if is_cannot_answer(reply):
            return make(refusal(lang, as_of), True)
        by_key = {h.chunk.key: h.chunk for h in hits}
        resolved = resolve_citations(reply, set(by_key))
        if not resolved.text or not resolved.keys:
            return make(refusal(lang, as_of), True)
        citations = tuple(_citation(by_key[key]) for key in resolved.keys)
        marked = {i for i, key in enumerate(resolved.keys, 1) if by_key[key].notice in interpretations}
        return make(label_interpretations(resolved.text, marked, lang), False, citations)


def label_interpretations(text: str, marked: set[int], lang: str) -> str:
    """Every sentence citing an official interpretation ([n] with n in `marked`) carries the label; the model is
    asked to write it, and it is added before the citations where it did not."""
    if not marked:
        return text
    label = INTERPRETATION_LABEL.get(lang, INTERPRETATION_LABEL["en"])
    out_lines = []
    for line in text.split("\n"):
        pieces = []
        for piece in split_sentences(line):
            nums = {int(n) for n in re.findall(r"\[(\d+)\]", piece)}
            if nums & marked and label.lower() not in piece.lower() and INTERPRETATION_LABEL["en"] not in piece:
                m = re.search(r"(\s*(?:\[\d+\]\s*)+[.。]?\s*)$", piece)
                cut = m.start() if m else len(piece)
                body = piece[:cut].rstrip()
                end = body[-1] if body and body[-1] in "。.!?！？" else ""
                body = body[: len(body) - len(end)] if end else body
                sep = "——" if lang == "zh" else " — "
                piece = f"{body}{sep}{label}{end}{piece[cut:]}"
            pieces.append(piece)
        out_lines.append("".join(pieces))
    return "\n".join(out_lines)


def _citation(chunk) -> Citation:
    label = chunk.labels[0] if chunk.labels else chunk.key.rsplit(":", 1)[-1]
    return Citation(notice=chunk.notice, label=label, url=chunk.url, quote=chunk.body[:QUOTE_CHARS], key=chunk.key)


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def _root_cause(exc: BaseException) -> str:
    """The innermost error's message ("[Errno 111] Connection refused"), not the wrappers' ("Connection error.")."""
    seen = set()
    while (exc.__cause__ or exc.__context__) is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return _one_line(exc) or type(exc).__name__


def _one_line(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 200 else text[:197] + "..."
