"""The Lua scripts in ``worker/state/lua/``: one loader for all of them.

Each script documents its keys and arguments at its top; ``worker.state.keys`` lists every key.
"""

from __future__ import annotations

import functools
from importlib import resources

import redis
from redis.commands.core import Script

DEDUP_CHECK_AND_INSERT = "dedup_check_and_insert.lua"
DEDUP_FORGET = "dedup_forget.lua"
REGISTRY_REGISTER = "registry_register.lua"
PUBLISH_ONCE = "publish_once.lua"
QUARANTINE = "quarantine.lua"


@functools.cache
def source(name: str) -> str:
    """The text of one script (read once per process)."""
    return resources.files("worker.state.lua").joinpath(name).read_text("utf-8")


def register(client: redis.Redis, name: str) -> Script:
    """The script ``name`` registered on ``client`` (EVALSHA, falling back to EVAL once)."""
    return client.register_script(source(name))
