"""A local Slack for tests: the Web API methods tracker uses, served over loopback HTTP, and requests signed the
way Slack signs them.

    slack = FakeSlack(token="xoxb-...").start()     # slack_sdk's base_url -> slack.api_url
    slack.response_url("abc")                       # where a slash command's response_url points
    signed_post(url, body, secret, content_type)    # X-Slack-Signature: v0=HMAC-SHA256("v0:{ts}:{body}")

Methods: auth.test, chat.postMessage (checked against Slack's limits: 50 blocks, 3,000 characters a section text,
150 a header, 10 context elements -> invalid_blocks; blocks whose text adds up to more than 13,000 characters ->
msg_blocks_too_long, as Slack does though its reference does not say so), apps.connections.open (Socket Mode: a
WebSocket URL on this server), and response_url POSTs. Anything else answers unknown_method.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode

import httpx

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def sign(secret: str, body: str, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_post(url: str, body: str, secret: str, content_type: str, *, ts: int | None = None,
                headers: dict | None = None) -> httpx.Response:
    return httpx.post(url, content=body.encode(), timeout=10,
                      headers={"Content-Type": content_type, **sign(secret, body, ts), **(headers or {})})


def slash_body(text: str, response_url: str, *, user: str = "U0ALICE", command: str = "/exportctl") -> str:
    return urlencode({"token": "legacy-verification", "team_id": "T0001", "team_domain": "acme",
                      "channel_id": "C0QUESTIONS", "channel_name": "export-controls", "user_id": user,
                      "user_name": "alice", "command": command, "text": text, "api_app_id": "A0TRACKER",
                      "is_enterprise_install": "false", "response_url": response_url,
                      "trigger_id": "1.2.3"})


def mention_body(event_id: str, text: str, *, channel: str = "C0QUESTIONS", ts: str = "1764300000.000100") -> str:
    return json.dumps({"token": "legacy-verification", "team_id": "T0001", "api_app_id": "A0TRACKER",
                       "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                       "authorizations": [{"team_id": "T0001", "user_id": "U0BOT", "is_bot": True,
                                           "is_enterprise_install": False}],
                       "event": {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": ts,
                                 "channel": channel, "event_ts": ts}})


def block_problems(blocks) -> list[str]:
    """What Slack would reject in a list of blocks (a subset of Block Kit's rules, the ones tracker meets)."""
    problems = []
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks (max 50)")
    for i, b in enumerate(blocks):
        kind = b.get("type")
        if kind == "section":
            text = b.get("text", {}).get("text", "")
            if not text or len(text) > 3000:
                problems.append(f"block {i}: section text of {len(text)} characters (1..3000)")
        elif kind == "header":
            text = b.get("text", {})
            if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= 150:
                problems.append(f"block {i}: header must be plain_text of 1..150 characters")
        elif kind == "context":
            elements = b.get("elements", [])
            if not 0 < len(elements) <= 10:
                problems.append(f"block {i}: context with {len(elements)} elements (1..10)")
            problems += [f"block {i}: context text over 3000" for e in elements if len(e.get("text", "")) > 3000]
        elif kind != "divider":
            problems.append(f"block {i}: unexpected type {kind!r}")
    return problems


class FakeSlack(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, token: str = "xoxb-test", app_token: str = "xapp-test") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token, self.app_token = token, app_token
        self.calls: list[tuple[str, dict]] = []  # (method, params) of every Web API call, in order
        self.responses: list[tuple[str, dict]] = []  # (response_url id, JSON body)
        self.lock = threading.Lock()
        self.socket_client = None  # the Socket Mode connection, once open
        self.socket_received: list[dict] = []  # frames the app sent over Socket Mode (acks)
        self._n = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    def start(self) -> FakeSlack:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def posted(self, method: str = "chat.postMessage") -> list[dict]:
        with self.lock:
            return [p for m, p in self.calls if m == method]

    def wait(self, predicate, timeout: float = 20.0):
        """Poll until predicate() is truthy (the app answers in a background thread); return its value."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError("the fake Slack did not receive what was expected in time")

    def next_ts(self) -> str:
        with self.lock:
            self._n += 1
            return f"{int(time.time())}.{self._n:06d}"

    # -- Socket Mode: send an envelope to the connected app ----------------------------------------------------
    def socket_send(self, envelope: dict) -> None:
        data = json.dumps(envelope).encode()
        header = bytes([0x81])
        n = len(data)
        header += bytes([n]) if n < 126 else (bytes([126]) + struct.pack(">H", n) if n < 65536
                                              else bytes([127]) + struct.pack(">Q", n))
        self.socket_client.sendall(header + data)


class _Handler(BaseHTTPRequestHandler):
    server: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _json(self, data: dict, status: int = 200) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _params(self) -> dict:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if "json" in (self.headers.get("Content-Type") or ""):
            return json.loads(raw or "{}")
        params = dict(parse_qsl(raw, keep_blank_values=True))
        for key in ("blocks", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def do_GET(self):
        if self.path.startswith("/socket") and self.headers.get("Upgrade", "").lower() == "websocket":
            return self._websocket()
        self._json({"ok": False, "error": "not_found"}, 404)

    def do_POST(self):
        params = self._params()
        if self.path.startswith("/respond/"):
            key = self.path.rsplit("/", 1)[1]
            problems = block_problems(params["blocks"]) if "blocks" in params else []
            with self.server.lock:
                self.server.responses.append((key, params))
            if problems:
                return self._json({"ok": False, "error": "invalid_blocks", "problems": problems}, 400)
            return self._json({"ok": True})
        method = self.path.removeprefix("/api/").split("?")[0]
        with self.server.lock:
            self.server.calls.append((method, params))
        auth = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if method == "apps.connections.open":
            if auth != self.server.app_token:
                return self._json({"ok": False, "error": "invalid_auth"})
            return self._json({"ok": True, "url": f"ws://127.0.0.1:{self.server.server_address[1]}/socket"})
        if auth != self.server.token:
            return self._json({"ok": False, "error": "not_authed" if not auth else "invalid_auth"})
        if method == "auth.test":
            return self._json({"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "tracker",
                               "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0BOT",
                               "is_enterprise_install": False})
        if method == "chat.postMessage":
            if not params.get("channel"):
                return self._json({"ok": False, "error": "channel_not_found"})
            if not (params.get("text") or params.get("blocks")):
                return self._json({"ok": False, "error": "no_text"})
            problems = block_problems(params.get("blocks", []))
            total = sum(len(b.get("text", {}).get("text", "")) + sum(len(e.get("text", "")) for e in
                                                                     b.get("elements", []))
                        for b in params.get("blocks", []))
            if total > 13_000:
                return self._json({"ok": False, "error": "msg_blocks_too_long"})
            if problems:
                return self._json({"ok": False, "error": "invalid_blocks", "response_metadata": {
                    "messages": problems}})
            ts = self.server.next_ts()
            return self._json({"ok": True, "channel": params["channel"], "ts": ts,
                               "message": {"text": params.get("text", ""), "ts": ts}})
        return self._json({"ok": False, "error": "unknown_method"})

    # -- a minimal WebSocket server end for Socket Mode (text frames; masks from the client) ---------------------
    def _websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        sock: socket.socket = self.connection
        self.server.socket_client = sock
        self.server.socket_send({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TRACKER"}})
        try:
            while True:
                frame = _read_frame(self.rfile)
                if frame is None:
                    break
                opcode, payload = frame
                if opcode == 0x8:  # close
                    break
                if opcode == 0x9:  # ping -> pong
                    sock.sendall(bytes([0x8A, len(payload)]) + payload)
                    continue
                if opcode == 0x1:
                    with self.server.lock:
                        self.server.socket_received.append(json.loads(payload.decode()))
        except OSError:
            pass
        self.close_connection = True


def _read_frame(rfile) -> tuple[int, bytes] | None:
    head = rfile.read(2)
    if len(head) < 2:
        return None
    opcode, n = head[0] & 0x0F, head[1] & 0x7F
    masked = head[1] & 0x80
    if n == 126:
        n = struct.unpack(">H", rfile.read(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", rfile.read(8))[0]
    mask = rfile.read(4) if masked else b"\0\0\0\0"
    data = bytearray(rfile.read(n))
    for i in range(len(data)):
        data[i] ^= mask[i % 4]
    return opcode, bytes(data)
