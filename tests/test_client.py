"""The HTTP client: mirror mapping, conditional GET, robots.txt, politeness, allowlist, byte cap."""

from __future__ import annotations

import pytest
from conftest import serve, settings_for

from tracker.errors import ConfigError, OffAllowlistError, RobotsDisallowedError, TooLargeError
from tracker.fetch.client import Client

HOSTS = {"www.mofcom.gov.cn", "english.mofcom.gov.cn"}
N18 = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html"


def test_mirror_mapping_round_trips(home):
    client = Client(settings_for(home, "http://127.0.0.1:9"), HOSTS)
    wire = client.wire(N18 + "?a=1")
    assert wire == "http://127.0.0.1:9/www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html?a=1"
    assert client.canonical(wire) == N18 + "?a=1"
    assert Client(settings_for(home), HOSTS).wire(N18) == N18  # no mirror: the real URL


def test_conditional_get_answers_304_with_the_validators_it_was_given(home):
    with serve(clock="2025-05-01") as server, Client(settings_for(home, server.base_url), HOSTS) as client:
        first = client.get(N18)
        assert first.status == 200 and first.etag and first.last_modified and "商务部" in first.content.decode()
        again = client.get(N18, etag=first.etag)
        assert again.not_modified and again.content == b""
        by_date = client.get(N18, last_modified=first.last_modified)
        assert by_date.not_modified


def test_robots_txt_is_obeyed(home, mirror_copy):
    (mirror_copy / "sites/www.mofcom.gov.cn/robots.txt").write_text("User-agent: *\nDisallow: /zwgk/\n")
    with serve(mirror_copy, "2025-05-01") as server, Client(settings_for(home, server.base_url), HOSTS) as client:
        with pytest.raises(RobotsDisallowedError, match="robots.txt"):
            client.get(N18)
        relaxed = Client(settings_for(home, server.base_url, robots=False), HOSTS)
        assert relaxed.get(N18).status == 200
        relaxed.close()


def test_no_request_leaves_the_configured_hosts(home):
    client = Client(settings_for(home), HOSTS)
    with pytest.raises(OffAllowlistError, match="evil.example.com"):
        client.get("https://evil.example.com/a.html")
    with pytest.raises(OffAllowlistError):
        client.get("file:///etc/passwd")


def test_politeness_delay_applies_to_real_hosts_only(home):
    slept: list[float] = []
    real = Client(settings_for(home, delay=1.5), HOSTS, sleep=slept.append)
    real._robots["www.mofcom.gov.cn"] = None
    real._wait_turn(N18)
    real._wait_turn(N18)
    assert len(slept) == 1 and 1.4 < slept[0] <= 1.5
    slept.clear()
    loop = Client(settings_for(home, "http://127.0.0.1:9"), HOSTS, sleep=slept.append)
    loop._wait_turn(N18)
    loop._wait_turn(N18)
    assert slept == []
    with pytest.raises(ConfigError, match="delay"):
        settings_for(home, delay=0.2)


def test_byte_cap_holds_with_a_declared_length(home):
    with serve(clock="2025-05-01") as server, \
            Client(settings_for(home, server.base_url, max_bytes=1000), HOSTS) as client:
        with pytest.raises(TooLargeError, match="over the cap"):
            client.get(N18)
