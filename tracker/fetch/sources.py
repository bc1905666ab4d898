"""The sources file: hosts and list endpoints (see tracker/sources.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tracker.errors import ConfigError

KINDS = {"jpaas", "column", "html"}


@dataclass(frozen=True)
class ListSource:
    id: str
    kind: str
    base: str
    index: str = "/"
    page_id: str = ""
    web_id: str = ""
    tpl_set_id: str = ""
    column: int = 0
    page_size: int = 15
    max_pages: int = 20

    @property
    def index_url(self) -> str:
        return self.base + self.index


@dataclass(frozen=True)
class Sources:
    hosts: frozenset[str]
    lists: tuple[ListSource, ...]


def load_sources(path: Path) -> Sources:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    hosts = frozenset(data.get("hosts", []))
    lists = []
    for i, raw in enumerate(data.get("list", []), 1):
        try:
            item = ListSource(**raw)
        except TypeError as exc:
            raise ConfigError(f"{path}: [[list]] #{i}: {exc}") from exc
        if item.kind not in KINDS:
            raise ConfigError(f"{path}: list {item.id}: kind must be one of {sorted(KINDS)}")
        if urlsplit(item.base).hostname not in hosts:
            raise ConfigError(f"{path}: list {item.id}: host of {item.base} is not in hosts")
        lists.append(item)
    if not lists:
        raise ConfigError(f"{path}: no [[list]] entries")
    return Sources(hosts, tuple(lists))
