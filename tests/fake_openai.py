"""A scripted OpenAI-compatible chat server on loopback, for testing the LLM answerer without a model.

    with FakeOpenAI("The answer [k1].") as server:
        LLMAnswerer("openai:fake-model", server.base_url, "test-key", max_retries=0)...
        server.requests[-1]["body"]["messages"]  # what was sent

`reply` is a string, or a function of the request body (the parsed JSON) returning a string. `status` other than
200 makes the server answer with an OpenAI-style error body; `raw` (bytes) replaces the whole 200 body (a broken
server); `delay` holds every answer back that many seconds.
Streaming requests (stream=true) get the same reply as server-sent events.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict], str]


class FakeOpenAI:
    def __init__(self, reply: Reply = "CANNOT_ANSWER", status: int = 200, delay: float = 0.0) -> None:
        self.reply = reply
        self.status = status
        self.delay = delay
        self.raw: bytes | None = None
        self.requests: list[dict[str, Any]] = []  # {"method", "path", "headers" (lowercase names), "body"}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._record(self, None)
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model",
                                                                 "created": 0, "owned_by": "fake"}]})
                else:
                    self._json(404, _error("not found", "not_found"))

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    self.close_connection = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                fake._record(self, body)
                if fake.delay:
                    time.sleep(fake.delay)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, _error(f"no route {self.path}", "not_found"))
                    return
                if fake.status != 200:
                    self._json(fake.status, _error("scripted failure", "server_error"))
                    return
                if fake.raw is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(fake.raw)))
                    self.end_headers()
                    self.wfile.write(fake.raw)
                    return
                text = fake.reply(body) if callable(fake.reply) else fake.reply
                model = body.get("model", "fake-model")
                if body.get("stream"):
                    self._stream(model, text)
                else:
                    self._json(200, _completion(model, text))

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, model: str, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                         "model": model, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text},
                                                      "finish_reason": None}]}
                last = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                for event in (chunk, last):
                    self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests read ---------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def chat_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"].rstrip("/").endswith("/chat/completions")]

    def messages(self, role: str, index: int = -1) -> list[str]:
        """Contents of the messages with `role` in one chat request (the last by default)."""
        return [_content(m) for m in self.chat_requests[index]["messages"] if m.get("role") == role]

    def _record(self, handler: BaseHTTPRequestHandler, body: dict | None) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        self.requests.append({"method": handler.command, "path": handler.path, "headers": headers, "body": body})


def _content(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def _completion(model: str, text: str) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop",
                         "logprobs": None}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _error(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
