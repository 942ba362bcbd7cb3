"""``python -m worker.cli``: the ``eventwire`` command."""

import sys

from worker.cli.main import main

sys.exit(main())
