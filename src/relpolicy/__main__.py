"""``python -m relpolicy``."""

from relpolicy.cli import main

raise SystemExit(main())
