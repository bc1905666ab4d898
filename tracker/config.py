"""Settings: defaults < tracker.toml < environment (TRACKER_*) < command-line flags.

Loaded once by the CLI (or a test) with `load_settings()` and passed down; nothing reads the environment at
import time. `tracker config` shows every effective value and where it came from.
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tracker.errors import ConfigError

_TOML: ContextVar[dict[str, Any] | None] = ContextVar("tracker_toml", default=None)
PACKAGE_DIR = Path(__file__).resolve().parent


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tracker", appauthor=False))


def default_corpus() -> Path:
    """The mirror shipped in the source tree (corpus/ beside the package, in a checkout or editable install)."""
    return PACKAGE_DIR.parent / "corpus"


class Settings(BaseSettings):
    """Every setting tracker reads. Environment names are TRACKER_<NAME>, e.g. TRACKER_HOME."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="forbid", frozen=True)

    home: Path = Field(default_factory=default_home, description="where the store, blobs and indexes live")
    sources: Path = Field(default=PACKAGE_DIR / "sources.toml", description="sources file: hosts and list endpoints")
    mirror: str | None = Field(default=None, description="base URL of a mirror that serves every real host "
                               "under /<host>/..., e.g. http://127.0.0.1:8765")
    delay: float = Field(default=1.0, ge=1.0, description="seconds between requests to one real host "
                         "(never less than 1; loopback hosts get none)")
    timeout: float = Field(default=20.0, gt=0, description="seconds before a request times out")
    retries: int = Field(default=3, ge=0, le=10, description="retries on timeouts, 5xx and resets")
    backoff: float = Field(default=1.0, ge=0, description="first retry wait in seconds, doubled each retry")
    max_bytes: int = Field(default=25_000_000, gt=0, description="byte cap per response")
    user_agent: str = Field(default="tracker/0.1 (export-control compliance monitor; polite crawler)",
                            description="User-Agent sent with every request")
    robots: bool = Field(default=True, description="obey robots.txt")
    embedder: str = Field(default="e5", description="embedding model for diffs and search: e5 (bundled "
                          "multilingual-e5-small, the default by measurement), minilm (bundled all-MiniLM-L6-v2, "
                          "English only), hash (tests), or any sentence-transformers model name or path")
    llm: str | None = Field(default=None, description="LLM answerer as provider:model (openai, vllm, ollama, "
                            "openai-compatible), e.g. ollama:qwen2.5; unset = the offline answerer")
    llm_base_url: str | None = Field(default=None, description="base URL of an OpenAI-compatible server")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for the LLM server (never logged)")
    corpus: Path = Field(default_factory=default_corpus, description="the mirror served by `tracker corpus serve`")
    # -- publish (issue 6): the daily job, the digest and the Slack bot; a missing Slack secret disables Slack --
    catalogue: Path | None = Field(default=None, description="product catalogue (CSV, YAML or JSON) screened by "
                                   "`tracker run` and `/exportctl impact SKU`; unset = no impact screening")
    digest_format: str = Field(default="md", pattern="^(md|html|json|slack)$", description="format `tracker "
                               "digest` and `tracker run` print: md, html, json or slack")
    slack_bot_token: SecretStr | None = Field(default=None, description="Slack bot token xoxb-... (never logged)")
    slack_signing_secret: SecretStr | None = Field(default=None, description="Slack signing secret: verifies "
                                                   "requests in HTTP mode (never logged)")
    slack_app_token: SecretStr | None = Field(default=None, description="Slack app-level token xapp-... for Socket "
                                              "Mode (never logged)")
    slack_channel: str | None = Field(default=None, description="channel the daily digest is posted to, e.g. "
                                      "#export-controls or C0123456789; unset = not posted")
    slack_api_url: str | None = Field(default=None, description="Slack Web API base URL (default "
                                      "https://slack.com/api/; for a proxy or a test server)")

    @field_validator("mirror")
    @classmethod
    def _mirror_is_http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL such as http://127.0.0.1:8765")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)

    @property
    def db_path(self) -> Path:
        return self.home / "tracker.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"


class _TomlSource(PydanticBaseSettingsSource):
    def get_field_value(self, field, field_name):  # pragma: no cover - required by the interface
        return (_TOML.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in (_TOML.get() or {}).items() if k in self.settings_cls.model_fields}


def config_file(explicit: Path | None = None) -> Path | None:
    if explicit:
        return explicit
    if os.environ.get("TRACKER_CONFIG"):
        return Path(os.environ["TRACKER_CONFIG"])
    local = Path("tracker.toml")
    return local if local.exists() else None


def load_settings(overrides: dict[str, Any] | None = None, config: Path | None = None) -> Settings:
    """Build the settings; `overrides` are command-line values (None values are ignored)."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    path = config_file(config)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            whole = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        data = whole.get("tracker", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: settings go in a [tracker] table, e.g. [tracker]\\nhome = \"/srv/tracker\"")
        stray = set(whole) - {"tracker"}
        if stray:
            raise ConfigError(f"{path}: {', '.join(sorted(stray))} outside the [tracker] table; put settings under "
                              f"[tracker]")
        unknown = set(data) - set(Settings.model_fields)
        if unknown:
            raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))} in [tracker]")
    token = _TOML.set(data)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {name}: {first['msg']} (check TRACKER_{name.upper()} and "
                          f"{path or 'tracker.toml'})") from exc
    finally:
        _TOML.reset(token)


def describe(settings: Settings, overrides: dict[str, Any] | None = None, config: Path | None = None) -> list[dict]:
    """Each setting with its effective value and where it came from."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    path = config_file(config)
    data = tomllib.loads(path.read_text("utf-8")).get("tracker", {}) if path else {}
    rows = []
    for name, info in Settings.model_fields.items():
        if name in overrides:
            origin = "flag"
        elif f"TRACKER_{name.upper()}" in os.environ:
            origin = f"env TRACKER_{name.upper()}"
        elif name in data:
            origin = str(path)
        else:
            origin = "default"
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "**********"
        elif value is None or isinstance(value, (bool, int, float, str)):
            shown = value  # JSON keeps its type: null, true, 1.0
        else:
            shown = str(value)  # paths and the like
        rows.append({"name": name, "value": shown, "origin": origin,
                     "help": info.description or ""})
    return rows
