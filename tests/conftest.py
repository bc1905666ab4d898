"""Shared fixtures: the mirror served over loopback, copies of it to edit, settings for a fresh store.

Any connection to a non-loopback address fails the test (see `_loopback_only`).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest

from tracker.config import load_settings
from tracker.mirror.server import Mirror, MirrorServer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def _is_loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
    else:
        return True  # AF_UNIX paths
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach a non-loopback address: {address!r}")
        return real_connect(sock, address)

    def guard_ex(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach a non-loopback address: {address!r}")
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@contextmanager
def serve(root: Path = CORPUS, clock: str = "2026-11-28"):
    server = MirrorServer(Mirror(root, clock)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mirror_copy(tmp_path) -> Path:
    """A private copy of corpus/ that a test may edit."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest, ignore=shutil.ignore_patterns("src", "tools"))
    return dest


def settings_for(home: Path, mirror: str | None = None, **extra):
    overrides = {"home": home, "mirror": mirror, "retries": 1, "backoff": 0.0, "timeout": 3.0, **extra}
    return load_settings(overrides, config=None)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def walk(root: Path, home: Path, until: str | None = None) -> None:
    """Crawl the mirror after every date on which it changes, as `tracker demo` does."""
    from tracker.mirror.walk import walk as follow

    follow(settings_for(home), root, until)


@pytest.fixture(scope="session")
def walked_home(tmp_path_factory) -> Path:
    """A store that has followed the whole mirror timeline (read-only for tests)."""
    home = tmp_path_factory.mktemp("walked")
    walk(CORPUS, home)
    return home


@pytest.fixture(scope="session")
def indexed_home(walked_home, tmp_path_factory) -> Path:
    """A copy of the walked store with a search index built with the real bundled model."""
    from tracker.embeddings import get_embedder
    from tracker.index.build import build_index
    from tracker.store.repository import Store

    home = tmp_path_factory.mktemp("indexed") / "home"
    shutil.copytree(walked_home, home)
    with Store(home) as store:
        build_index(store, get_embedder("minilm"))
    return home
