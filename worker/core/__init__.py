"""The core: pipeline, contract, cleaning, fingerprinting, in-memory stores. Imports no transport
(neither redis nor celery/kombu); an import-linter contract keeps it so."""
