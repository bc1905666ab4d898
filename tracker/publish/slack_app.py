"""The Slack bot: a thin shell over ask, status and impact, and the poster of the daily digest.

    /exportctl <question>              a cited answer (acknowledged at once; the answer follows via response_url)
    /exportctl status <element|notice> the state of the provisions that name it, today
    /exportctl impact <sku>            the verdict for one product of the configured catalogue
    @tracker <question or command>     the same, answered in the message's thread

HTTP mode (`tracker slack serve`) verifies every request's signature (bolt answers 401 to a bad or stale one);
Socket Mode (`tracker slack serve --socket`) needs an app-level token instead of the signing secret. A retried
event (X-Slack-Retry-Num) whose event_id was already handled is acknowledged and skipped.

Tokens and secrets come from Settings (SecretStr: TRACKER_SLACK_* or tracker.toml) and are never logged; a
missing one raises SlackConfigError, one line naming the setting. slack_bolt / slack_sdk are imported here only.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tracker.config import Settings
from tracker.errors import ConfigError, TrackerError

log = logging.getLogger(__name__)
COMMAND = "/exportctl"
MAX_BODY = 1_000_000  # bytes of a request we read; Slack's are a few KB
MAX_REPLY_BLOCKS = 50
USAGE = (f"*{COMMAND}* answers from the stored MOFCOM / GACC notices, with citations.\n"
         f"• `{COMMAND} Is the 0.1% rule of No. 61 in force on 2025-12-15?` (English or Chinese; dates in the "
         f"question are used)\n"
         f"• `{COMMAND} status Dy` or `{COMMAND} status 镝` — the state today of every provision that names it\n"
         f"• `{COMMAND} status mofcom-2025-61` — the state today of one notice's provisions\n"
         f"• `{COMMAND} impact MAG-NDFEB-DY-01` — the verdict for one product of the catalogue\n"
         f"Add a date to `status` or `impact` for another day: `{COMMAND} status Dy 2025-12-15`.\n"
         f"Mention the bot with the same words to get the answer in a thread.")
SETTING_ENV = {"slack_bot_token": "TRACKER_SLACK_BOT_TOKEN", "slack_signing_secret": "TRACKER_SLACK_SIGNING_SECRET",
               "slack_app_token": "TRACKER_SLACK_APP_TOKEN", "slack_channel": "TRACKER_SLACK_CHANNEL"}


class SlackConfigError(ConfigError):
    """A Slack feature is disabled because a setting is missing (one line naming it)."""


def secret(settings: Settings, name: str, feature: str) -> str:
    value = getattr(settings, name)
    raw = value.get_secret_value() if value is not None and hasattr(value, "get_secret_value") else value
    if not raw:
        raise SlackConfigError(f"{feature} disabled: {SETTING_ENV[name]} is not set (or `{name}` in tracker.toml)")
    return raw


def web_client(settings: Settings, token: str | None):
    from slack_sdk import WebClient

    kwargs = {"token": token, "timeout": int(max(settings.timeout, 1))}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(**kwargs)


# -- the daily digest ------------------------------------------------------------------------------------------
def post_digest(settings: Settings, digest: dict, client=None) -> dict:
    """Post the digest to settings.slack_channel with chat.postMessage: the first message in the channel, any
    continuation (Slack's 50-block limit) in its thread. Returns {"channel", "messages": [ts, ...]}."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from tracker.publish.render import to_slack

    channel = settings.slack_channel
    if not channel:
        raise SlackConfigError("digest not posted to Slack: TRACKER_SLACK_CHANNEL is not set")
    client = client or web_client(settings, secret(settings, "slack_bot_token", "posting the digest to Slack"))
    posted: list[str] = []
    thread = None
    for message in to_slack(digest):
        try:
            resp = client.chat_postMessage(channel=channel, text=message["text"], blocks=message["blocks"],
                                           thread_ts=thread, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            raise TrackerError(f"Slack chat.postMessage to {channel} failed: {exc.response.get('error')}"
                               + (f" (after {len(posted)} message(s))" if posted else "")) from exc
        except (SlackClientError, OSError) as exc:
            raise TrackerError(f"Slack chat.postMessage to {channel} failed: {type(exc).__name__}") from exc
        posted.append(resp["ts"])
        thread = thread or resp["ts"]
    return {"channel": channel, "messages": posted}


# -- replies -------------------------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str | None, label: str) -> str:
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return _esc(label)
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{_esc(label).replace('|', '/')}>"


def reply(text: str, lines: list[str] | None = None) -> dict:
    """A Slack message: `text` (the notification fallback) and section blocks within Slack's limits."""
    from tracker.publish.render import SLACK_MAX_SECTION, _chunks

    pieces = _chunks([text] + (lines or []), SLACK_MAX_SECTION)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces]
    if len(blocks) > MAX_REPLY_BLOCKS:
        blocks = blocks[:MAX_REPLY_BLOCKS - 1] + [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "… cut to fit one Slack message"}]}]
    return {"text": text[:3000], "blocks": blocks}


def _trailing_date(text: str) -> tuple[str, str | None]:
    """'Dy 2025-12-15' -> ('Dy', '2025-12-15'); a last word that looks like a date but is not one is an error."""
    words = text.split()
    if words and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", words[-1]):
        try:
            day = date.fromisoformat(words[-1]).isoformat()
        except ValueError as exc:
            raise TrackerError(f"{words[-1]} is not a date; use YYYY-MM-DD, e.g. 2025-12-15") from exc
        return " ".join(words[:-1]), day
    return text, None


class Bot:
    """What the bot says: the same for the slash command and for mentions. Never raises."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store = None
        self._asker = None
        self._stamp = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def warm(self) -> str:
        """Open the store and load the index now rather than on the first question; one line saying how it went."""
        try:
            with self._lock:
                self._current_asker()
            return f"store {self.settings.home} loaded; search index current"
        except TrackerError as exc:
            return f"questions will fail until this is fixed: {exc.one_line()}"

    def quick(self, text: str) -> dict | None:
        """The reply that needs no store (usage, length cap), or None when the work is real."""
        from tracker.answer.ask import MAX_QUESTION

        text = " ".join((text or "").split())
        if not text or text.lower() in ("help", "?", "-h", "--help"):
            return reply(("Ask me a question after the command. " if not text else "") + USAGE)
        if len(text) > MAX_QUESTION:
            return reply(f"That is {len(text)} characters; please keep a question under {MAX_QUESTION} characters "
                         f"(one question at a time works best).")
        return None

    def answer(self, text: str, today: str | None = None) -> dict:
        text = " ".join((text or "").split())
        early = self.quick(text)
        if early is not None:
            return early
        head, _, rest = text.partition(" ")
        try:
            if head.lower() in ("status", "impact"):
                rest, day = _trailing_date(rest.strip())
                work = self.status if head.lower() == "status" else self.impact
                return work(rest, day or today)
            return self.ask(text)
        except TrackerError as exc:
            return reply(f"Sorry, I could not answer that: {_esc(exc.one_line())}")
        except Exception:  # the app keeps serving; the trace goes to the log (no secrets in it)
            log.exception("slack: unexpected error answering %r", text[:200])
            return reply("Sorry, something went wrong while answering; the error was logged. Try again, or "
                         f"`{COMMAND} help`.")

    # -- the store, opened once and shared (answers are serialised by a lock) ------------------------------------
    def _open(self):
        from tracker.store.repository import Store

        if self._store is None:
            if not self.settings.db_path.exists():
                raise TrackerError(f"there is no store yet at {self.settings.home}; run `tracker run` first")
            self._store = Store(self.settings.home)
        return self._store

    def _current_asker(self):
        from tracker.answer.ask import Asker
        from tracker.embeddings import get_embedder
        from tracker.index.build import ensure_index

        store = self._open()
        stamp = store.conn.execute("SELECT COUNT(*), MAX(id) FROM version").fetchone()
        stamp = (stamp[0], stamp[1])
        if self._asker is None or stamp != self._stamp:  # the daily job added versions: re-read the store
            ensure_index(store, get_embedder(self.settings.embedder))
            self._asker = Asker(self.settings, store)
            self._stamp = stamp
        return self._asker

    def ask(self, question: str) -> dict:
        with self._lock:
            answer = self._current_asker().ask(question)
        data = answer.as_dict()
        if data["cannot_answer"]:
            return reply(_esc(data["answer"]), [f"_Question:_ {_esc(question)}", f"Try `{COMMAND} help`."])
        lines = []
        for i, c in enumerate(data["citations"], 1):
            quote = " ".join(c.get("quote", "").split())[:200]
            lines.append(f"[{i}] {_link(c.get('url'), c['notice'] + ' ' + c['label'])}" + (
                f" — _{_esc(quote)}_" if quote else ""))
        as_of = data["as_of"] if isinstance(data["as_of"], str) else ", ".join(data["as_of"])
        return reply(_esc(data["answer"]), lines + [f"_as of {as_of}; from the stored documents only_"])

    def status(self, what: str, today: str | None = None) -> dict:
        from tracker.commands import status
        from tracker.structure.glossary import lookup

        if not what:
            return reply(f"Which element or notice? e.g. `{COMMAND} status Dy`, `{COMMAND} status 镝` or "
                         f"`{COMMAND} status mofcom-2025-61`.")
        with self._lock:
            store = self._open()
            notice = store.notice(what.lower()) if re.fullmatch(r"[a-z0-9-]+", what.lower()) else None
            known = [n["id"] for n in store.notices() if n["kind"] != "interpretation"]
        day = today or date.today().isoformat()
        if notice is not None:
            data = status(self.settings, day, notice["id"], None)
            title = f"*{_esc(notice['number'] or notice['id'])}* `{notice['id']}` on {day}"
        elif lookup(what) is not None:
            data = status(self.settings, day, None, what)
            term = lookup(what)
            title = f"*{_esc(term.zh)} {_esc(term.symbol)}* ({_esc(term.en)}): provisions that name it, on {day}"
        else:
            sample = ", ".join(f"`{k}`" for k in known[-3:])
            return reply(f"I know no notice or element called “{_esc(what)}”. Try an element (Dy, 镝, dysprosium) "
                         f"or a notice id such as {sample} (`tracker notices` lists them all).")
        rows = data["provisions"]
        if not rows:
            return reply(title, ["No provision in the store names it yet."])
        lines = []
        for p in rows[:40]:
            label = "whole notice" if p["provision"] == "*" else p["provision"]
            span = (f" since {p['since']}" if p["since"] else "") + (f" until {p['until']}" if p["until"] else "")
            flag = " (boundary day the text leaves open)" if p["ambiguous"] else ""
            lines.append(f"• `{p['notice']}` {label}: *{p['status'].replace('_', ' ')}*{span}{flag}"
                         + (f" — {_esc(p['note'][:200])}" if p["note"] else ""))
        if len(rows) > 40:
            lines.append(f"… and {len(rows) - 40} more (`tracker status --as-of {day}`)")
        if data.get("projection"):
            lines.append(f"_{_esc(data['projection'])}_")
        return reply(title, lines)

    def impact(self, sku: str, today: str | None = None) -> dict:
        if not sku:
            return reply(f"Which product? e.g. `{COMMAND} impact MAG-NDFEB-DY-01` (a SKU of the catalogue).")
        if self.settings.catalogue is None:
            return reply("Impact screening is not configured: set TRACKER_CATALOGUE (or `catalogue` in "
                         "tracker.toml) to your product catalogue.")
        try:
            from tracker.impact import load_catalogue, screen
        except ImportError:
            return reply("Impact screening is not available in this installation.")
        try:
            products, _errors = load_catalogue(self.settings.catalogue)
        except OSError as exc:
            raise TrackerError(f"cannot read the catalogue {self.settings.catalogue}: {exc.strerror}") from exc
        match = [p for p in products if p.sku.lower() == sku.lower()]
        if not match:
            near = [p.sku for p in products if sku.lower() in p.sku.lower()][:5] or [p.sku for p in products][:5]
            return reply(f"No SKU “{_esc(sku)}” in the catalogue ({len(products)} products). "
                         f"{'Did you mean' if any(sku.lower() in s.lower() for s in near) else 'For example'}: "
                         + ", ".join(f"`{s}`" for s in near) + ".")
        day = today or date.today().isoformat()
        with self._lock:
            result = screen(self._open(), match, day)
        v = result["products"][0]
        lines = []
        for r in v.get("reasons", [])[:8]:
            where = _link(r.get("url"), f"{r.get('notice', '')} {r.get('label', '')}".strip())
            lines.append(f"• {r.get('status', '').replace('_', ' ')} · {r.get('rule', '')}: "
                         f"{_esc(r.get('explanation', ''))} ({where})")
        if v.get("missing"):
            lines.append("Missing in the catalogue: " + ", ".join(v["missing"]))
        nxt = v.get("next_change")
        if nxt:
            lines.append(f"Next change: *{nxt['verdict'].replace('_', ' ')}* from {nxt['date']}"
                         + (" (projection)" if nxt.get("projected") else ""))
        lines.append(f"_{_esc(result.get('disclaimer', ''))}_")
        return reply(f"`{_esc(v['sku'])}` {_esc(v.get('name', ''))}: *{v['verdict'].replace('_', ' ')}* on {day}",
                     lines)


# -- the bolt app --------------------------------------------------------------------------------------------------
class _Seen:
    """Event ids already handled (bounded): Slack retries an event it thinks was not received."""

    def __init__(self, size: int = 2000) -> None:
        self.ids: OrderedDict[str, float] = OrderedDict()
        self.lock = threading.Lock()
        self.size = size

    def first(self, event_id: str) -> bool:
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = time.time()
            while len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def create_app(settings: Settings, bot: Bot | None = None, *, socket_mode: bool = False):
    """The bolt App with the /exportctl command, app mentions and retry de-duplication."""
    from slack_bolt import App, BoltResponse

    token = secret(settings, "slack_bot_token", "the Slack bot")
    signing = "" if socket_mode else secret(settings, "slack_signing_secret", "the Slack bot (HTTP mode)")
    bot = bot or Bot(settings)
    app = App(client=web_client(settings, token), signing_secret=signing, request_verification_enabled=not socket_mode,
              process_before_response=False, logger=logging.getLogger("tracker.publish.slack_bolt"))
    app.bot = bot  # type: ignore[attr-defined]
    seen = _Seen()

    @app.middleware
    def handle_retries_once(body, request, next):  # bolt's argument name
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not seen.first(event_id):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("slack: event %s (retry %s) was already handled; acknowledged, not handled again", event_id,
                     retry)
            return BoltResponse(status=200, body="")
        return next()

    @app.command(COMMAND)
    def on_command(ack, command, respond):
        text = command.get("text") or ""
        early = bot.quick(text)
        if early is not None:
            ack(response_type="ephemeral", **early)
            return
        shown = " ".join(text.split())
        ack(response_type="ephemeral", text=f"Looking into: {_esc(shown[:300])} …")
        answer = bot.answer(text)
        respond(response_type="in_channel", replace_original=False,
                text=answer["text"], blocks=[{"type": "context", "elements": [
                    {"type": "mrkdwn", "text": f"<@{command.get('user_id', '')}> asked: {_esc(shown[:300])}"}]}]
                + answer["blocks"][:MAX_REPLY_BLOCKS - 1])

    @app.event("app_mention")
    def on_mention(event, client):
        text = re.sub(r"<@[A-Z0-9]+(\|[^>]*)?>", " ", event.get("text") or "")
        answer = bot.answer(text)
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                text=answer["text"], blocks=answer["blocks"], unfurl_links=False)

    @app.error
    def on_error(error, body):
        log.error("slack: %s while handling a %s request", type(error).__name__,
                  body.get("type") or body.get("command") or "Slack" if isinstance(body, dict) else "Slack")

    return app


# -- HTTP mode -----------------------------------------------------------------------------------------------------
class SlackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app, signing_secret: str, host: str = "127.0.0.1", port: int = 3000,
                 path: str = "/slack/events") -> None:
        from slack_sdk.signature import SignatureVerifier

        self.app, self.path = app, path
        self.verifier = SignatureVerifier(signing_secret)
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def start(self) -> SlackServer:
        threading.Thread(target=self.serve_forever, daemon=True, name="slack-http").start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SlackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # requests go to the log, not stderr; bodies (tokens) never
        log.info("slack http: %s %s", self.command, self.path.split("?")[0])

    def _send(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8",
              headers: dict | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            if k.lower() not in ("content-length", "content-type"):
                self.send_header(k, v if isinstance(v, str) else ", ".join(v))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.split("?")[0] in ("/health", "/healthz"):
            self._send(200, "ok\n")
        else:
            self._send(404, f"tracker's Slack app: Slack sends POST requests to {self.server.path}\n")

    def do_POST(self):
        from slack_bolt.request import BoltRequest

        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, "request too large\n")
            self.close_connection = True
            return
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        if url.path != self.server.path:
            self._send(404, f"tracker's Slack app listens on {self.server.path}\n")
            return
        body = raw.decode("utf-8", errors="replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            request = BoltRequest(body=body, query=url.query, headers=headers)
        except ValueError:  # not JSON (or a form field `payload` that is not JSON)
            if not self.server.verifier.is_valid_request(body, headers):
                self._send(401, "")
                return
            log.warning("slack http: a signed request whose payload is not valid JSON (%d bytes)", len(raw))
            self._send(400, json.dumps({"ok": False, "error": "the payload is not valid JSON; tracker's Slack app "
                                        "reads Slack's JSON events and form-encoded commands"}),
                       "application/json")
            return
        response = self.server.app.dispatch(request)
        self._send(response.status, response.body or "", response.headers.get("content-type", ["text/plain"])[0]
                   if response.headers.get("content-type") else "text/plain; charset=utf-8",
                   {k: v for k, v in response.headers.items() if k.lower() != "content-type"})


def serve_http(settings: Settings, host: str, port: int, bot: Bot | None = None) -> SlackServer:
    app = create_app(settings, bot)
    return SlackServer(app, secret(settings, "slack_signing_secret", "the Slack bot (HTTP mode)"), host, port)


def serve_socket(settings: Settings, bot: Bot | None = None):
    """A started Socket Mode handler (connects out to Slack; no public URL needed). Call .close() to stop."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app_token = secret(settings, "slack_app_token", "Slack Socket Mode")
    app = create_app(settings, bot, socket_mode=True)
    handler = SocketModeHandler(app, app_token, web_client=web_client(settings, None),
                                logger=logging.getLogger("tracker.publish.socket_mode"))
    handler.connect()
    return handler
