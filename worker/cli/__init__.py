"""The ``eventwire`` command line (``worker.cli.main:main``)."""
