"""``eventwire api``: the HTTP gateway (``worker.api``) served by uvicorn."""

from __future__ import annotations

import argparse

from worker.cli.connect import require_redis
from worker.cli.errors import EXIT_OK, EXIT_UNAVAILABLE, CliError
from worker.config import Settings


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the HTTP API until interrupted."""
    try:
        import uvicorn

        from worker.api.app import create_app
    except ImportError as exc:
        raise CliError(f"the HTTP API needs the api extra: pip install 'eventwire[api]' ({exc})",
                       EXIT_UNAVAILABLE) from exc

    settings = require_redis(settings)
    uvicorn.run(create_app(settings), host=args.host, port=args.port,
                log_level=settings.log_level.lower(), server_header=False)
    return EXIT_OK
