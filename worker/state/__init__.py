"""State in Redis: dedup index, event registry, publication, ledger, delivery counters, heartbeats.
Every key is named in ``keys.py``; the Lua scripts are in ``lua/``, loaded by ``scripts.py``."""
