"""``python -m ember``: see ``ember.cli``."""

from .cli import main

raise SystemExit(main())
