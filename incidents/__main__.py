"""``python -m incidents``: see :mod:`incidents.cli`."""

from .cli import main

raise SystemExit(main())
