"""The Slack app over real HTTP on loopback: requests signed exactly as Slack signs them, slack_sdk pointed at a
local Slack (tests/fake_slack.py), the store of the mirror's timeline with a search index (hash embedder: the
subject here is the Slack shell, not retrieval quality)."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, serve, settings_for
from fake_slack import FakeSlack, mention_body, signed_post, slash_body

from tracker.cli import main
from tracker.embeddings import get_embedder
from tracker.index.build import build_index
from tracker.publish.digest import build_digest
from tracker.publish.render import to_slack
from tracker.publish.slack_app import SlackConfigError, post_digest, serve_http, serve_socket
from tracker.store.repository import Store

BOT_TOKEN = "xoxb-1111-TOKEN-NEVER-LOGGED"
SIGNING = "signing-secret-NEVER-LOGGED"
APP_TOKEN = "xapp-1-APP-TOKEN-NEVER-LOGGED"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def slack_home(walked_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("slack") / "home"
    shutil.copytree(walked_home, home)
    with Store(home) as store:
        build_index(store, get_embedder("hash"))
    return home


@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack(token=BOT_TOKEN, app_token=APP_TOKEN).start()
    yield slack
    slack.stop()


def slack_settings(home, fake, **extra):
    return settings_for(home, embedder="hash", slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING,
                        slack_api_url=fake.api_url, **extra)


@pytest.fixture(scope="module")
def app(slack_home, fake):
    server = serve_http(slack_settings(slack_home, fake), "127.0.0.1", 0).start()
    yield server
    server.stop()


def ask(app, fake, text: str, key: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    resp = signed_post(app.url, slash_body(text, fake.response_url(key)), SIGNING, FORM)
    return resp, time.monotonic() - started


def answer_for(fake, key: str) -> dict:
    return fake.wait(lambda: next((body for k, body in list(fake.responses) if k == key), None))


def test_a_question_is_acknowledged_within_3_seconds_and_answered_via_response_url(app, fake):
    resp, took = ask(app, fake, "What is the control code for dysprosium?", "q-dy")
    assert resp.status_code == 200 and took < 3.0
    assert resp.json()["response_type"] == "ephemeral" and "Looking into" in resp.json()["text"]
    body = answer_for(fake, "q-dy")
    assert body["response_type"] == "in_channel"
    assert "1C905" in body["text"]  # the code as printed in No. 18's annex
    text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "<@U0ALICE> asked" in text and "mofcom-gacc-2025-18" in text and "https://www.mofcom.gov.cn/" in text


def test_a_mention_is_answered_in_its_thread_and_a_retried_event_is_handled_once(app, fake):
    body = mention_body("Ev-retry-1", "<@U0BOT> status mofcom-2025-61", ts="1764300000.000777")
    first = signed_post(app.url, body, SIGNING, "application/json")
    again = signed_post(app.url, body, SIGNING, "application/json",
                        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status_code == again.status_code == 200
    in_thread = lambda: [p for p in fake.posted() if p.get("thread_ts") == "1764300000.000777"]
    fake.wait(in_thread)
    time.sleep(0.5)  # time enough for a second (wrong) answer to arrive
    [posted] = in_thread()
    assert posted["channel"] == "C0QUESTIONS"
    assert "mofcom-2025-61" in posted["text"] and "1.1" in json.dumps(posted["blocks"])


def test_bad_or_stale_signatures_get_401_and_nothing_is_answered(app, fake):
    before = len(fake.responses)
    body = slash_body("Is No. 61 in force?", fake.response_url("q-forged"))
    assert signed_post(app.url, body, "not-the-secret", FORM).status_code == 401
    assert signed_post(app.url, body, SIGNING, FORM, ts=int(time.time()) - 600).status_code == 401  # replayed
    unsigned = httpx.post(app.url, content=body, headers={"Content-Type": FORM}, timeout=10)
    assert unsigned.status_code == 401
    assert signed_post(app.url, "{not json", "not-the-secret", "application/json").status_code == 401
    time.sleep(0.3)
    assert len(fake.responses) == before
    assert ask(app, fake, "help", "q-after-401")[0].status_code == 200  # still serving


@pytest.mark.parametrize("text,words", [
    ("", ["Ask me a question", "status Dy"]),
    ("x" * 2500, ["2500 characters", "under 2000"]),
    ("help", ["/exportctl status", "impact"]),
], ids=["empty", "over-length", "help"])
def test_empty_over_length_and_help_are_answered_in_the_acknowledgement(app, fake, text, words):
    resp, took = ask(app, fake, text, f"q-quick-{len(text)}")
    assert resp.status_code == 200 and took < 3.0
    reply = resp.json()
    assert reply["response_type"] == "ephemeral"
    for w in words:
        assert w in reply["text"], reply["text"]


@pytest.mark.parametrize("text,words", [
    ("status unobtainium", ["no notice or element called “unobtainium”", "Dy, 镝"]),
    ("status", ["Which element or notice?"]),
    ("impact NO-SUCH-SKU", ["TRACKER_CATALOGUE"]),
], ids=["unknown-element", "status-without-argument", "impact-without-catalogue"])
def test_unknown_input_gets_a_helpful_answer_and_the_app_keeps_serving(app, fake, text, words):
    key = "q-bad-" + text.replace(" ", "-")
    assert ask(app, fake, text, key)[0].status_code == 200
    body = answer_for(fake, key)
    for w in words:
        assert w in body["text"], body["text"]
    assert signed_post(app.url, "{not json", SIGNING, "application/json").json()["error"].startswith(
        "the payload is not valid JSON")
    assert httpx.get(app.url.replace("/slack/events", "/health"), timeout=5).text == "ok\n"


def test_status_of_an_element_on_a_date_lists_the_provisions_that_name_it(app, fake):
    ask(app, fake, "status 镝 2025-12-15", "q-status-dy")
    body = answer_for(fake, "q-status-dy")
    text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "镝 Dy" in body["text"] and "on 2025-12-15" in body["text"]
    assert "`mofcom-gacc-2025-18` whole notice: *in force* since 2025-04-04" in text
    assert "`mofcom-2025-61` whole notice: *suspended* since 2025-11-07 until 2026-11-10" in text


def test_impact_of_a_sku_on_a_date_and_an_unknown_sku(slack_home, fake):
    catalogue = Path(__file__).resolve().parents[1] / "examples" / "catalogue.csv"
    server = serve_http(slack_settings(slack_home, fake, catalogue=catalogue), "127.0.0.1", 0).start()
    try:
        for text, key in (("impact MAG-NDFEB-DY-01 2025-04-03", "q-imp-before"),
                          ("impact MAG-NDFEB-DY-01 2025-12-15", "q-imp-after"), ("impact mag-ndfeb", "q-imp-near"),
                          ("impact MAG-NDFEB-DY-03 2025-10-20", "q-imp-next")):
            assert signed_post(server.url, slash_body(text, fake.response_url(key)), SIGNING, FORM).status_code == 200
        before, after, near, pending = (answer_for(fake, k) for k in ("q-imp-before", "q-imp-after", "q-imp-near",
                                                                     "q-imp-next"))
    finally:
        server.stop()
    assert "*not affected* on 2025-04-03" in before["text"]
    # on 2025-04-03 no published document announced No. 18: no next change without hindsight
    assert "Next change" not in json.dumps(before["blocks"], ensure_ascii=False)
    assert "Next change: *licence likely* from 2025-12-01" in json.dumps(pending["blocks"], ensure_ascii=False)
    assert "*licence likely* on 2025-12-15" in after["text"]
    assert "mofcom-gacc-2025-18 annex1.1C905.a" in json.dumps(after["blocks"], ensure_ascii=False)
    assert "No SKU “mag-ndfeb”" in near["text"] and "`MAG-NDFEB-DY-01`" in near["text"]


def test_the_digest_is_posted_with_chat_postMessage_and_split_into_a_thread(slack_home, fake, walked_home):
    settings = slack_settings(slack_home, fake, slack_channel="#export-controls")
    with Store(walked_home) as store:
        d = build_digest(store, "2023-01-01", "2026-12-31", embedder=get_embedder("hash"))
    expected = to_slack(d)  # every notice, version and state change of the timeline: more than one message holds
    assert len(expected) >= 2
    start = len(fake.posted())
    result = post_digest(settings, d)
    posted = fake.posted()[start:]
    # the fake answers like Slack: invalid_blocks over 50 blocks or 3,000 characters a section,
    # msg_blocks_too_long over about 13,000 characters a message
    assert len(posted) == len(expected) == len(result["messages"])
    assert all(p["channel"] == "#export-controls" for p in posted)
    assert posted[0].get("thread_ts") is None and {p["thread_ts"] for p in posted[1:]} == {result["messages"][0]}
    assert posted[0]["blocks"][0]["type"] == "header"


def test_tracker_run_posts_the_days_digest_to_the_channel(slack_home, fake, capsys, monkeypatch):
    monkeypatch.setenv("TRACKER_EMBEDDER", "hash")
    monkeypatch.setenv("TRACKER_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TRACKER_SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("TRACKER_SLACK_CHANNEL", "C0DIGEST")
    start = len(fake.posted())
    with serve(CORPUS, "2026-06-15") as mirror:
        code = main(["run", "--home", str(slack_home), "--mirror", mirror.base_url, "--date", "2026-06-15",
                     "--since", "2026-06-15"])
    err = capsys.readouterr().err
    assert code == 0, err
    [posted] = [p for p in fake.posted()[start:] if p["channel"] == "C0DIGEST"]
    assert "2026-06-15" in posted["text"] and "mofcom-2026-12" in json.dumps(posted["blocks"])
    assert "slack: posted 1 message(s) to C0DIGEST" in err


def test_missing_secrets_disable_the_feature_with_one_line(slack_home, fake, capsys, monkeypatch):
    for name in ("BOT_TOKEN", "SIGNING_SECRET", "APP_TOKEN", "CHANNEL"):
        monkeypatch.delenv(f"TRACKER_SLACK_{name}", raising=False)
    assert main(["slack", "serve", "--home", str(slack_home), "--port", "0"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [("tracker: error: the Slack bot disabled: TRACKER_SLACK_BOT_TOKEN is not set (or "
                                 "`slack_bot_token` in tracker.toml)")]
    monkeypatch.setenv("TRACKER_SLACK_BOT_TOKEN", BOT_TOKEN)
    assert main(["slack", "serve", "--home", str(slack_home), "--socket"]) == 1
    assert "TRACKER_SLACK_APP_TOKEN is not set" in capsys.readouterr().err
    with pytest.raises(SlackConfigError, match="TRACKER_SLACK_CHANNEL is not set"):
        post_digest(slack_settings(slack_home, fake), {"quiet": True})


def test_secrets_never_reach_the_logs_or_the_config_listing(slack_home, fake, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    server = serve_http(slack_settings(slack_home, fake), "127.0.0.1", 0).start()
    try:
        signed_post(server.url, slash_body("Which notice suspends No. 61?", fake.response_url("q-log")), SIGNING, FORM)
        answer_for(fake, "q-log")
        signed_post(server.url, mention_body("Ev-log", "<@U0BOT> status Dy"), SIGNING, "application/json")
        fake.wait(lambda: [p for p in fake.posted() if "Dy" in p["text"]])
    finally:
        server.stop()
    assert caplog.records, "debug logging was captured"
    for secret in (BOT_TOKEN, SIGNING, APP_TOKEN):
        assert secret not in caplog.text
    monkeypatch.setenv("TRACKER_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TRACKER_SLACK_SIGNING_SECRET", SIGNING)
    assert main(["config", "--json"]) == 0
    listing = capsys.readouterr().out
    assert BOT_TOKEN not in listing and SIGNING not in listing
    rows = {r["name"]: r for r in json.loads(listing)}
    assert rows["slack_bot_token"]["value"] == "**********" and rows["slack_bot_token"]["origin"].startswith("env")
    assert isinstance(rows["retries"]["value"], int) and isinstance(rows["robots"]["value"], bool)  # JSON types kept


def test_socket_mode_acknowledges_the_envelope_and_answers(slack_home, fake):
    settings = slack_settings(slack_home, fake, slack_app_token=APP_TOKEN)
    handler = serve_socket(settings)
    try:
        fake.wait(lambda: fake.socket_client)
        fake.socket_send({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": json.loads(json.dumps(dict(
                              __import__("urllib.parse").parse.parse_qsl(
                                  slash_body("status mofcom-gacc-2025-57", fake.response_url("q-socket"))))))})
        ack = fake.wait(lambda: next((m for m in fake.socket_received if m.get("envelope_id") == "env-1"), None))
        assert "Looking into" in json.dumps(ack.get("payload", {}))
        body = answer_for(fake, "q-socket")
        assert "mofcom-gacc-2025-57" in body["text"]
    finally:
        handler.close()
