"""Text for viewers without the server's file paths.

Error messages of the libraries name files in full (the CLI user needs them); a viewer of the
dashboard must not learn the server's directories. :func:`without_paths` keeps the last part
of every absolute path: ``cannot open /srv/newsroom/data/incidents.sqlite`` becomes
``cannot open …/incidents.sqlite``.
"""

from __future__ import annotations

import re

__all__ = ["without_paths"]

_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^/\s'\"`]+/+)+([^/\s'\"`]+)")


def without_paths(text: str) -> str:
    """``text`` with every absolute path of two parts or more cut to ``…/<last part>``."""
    return _ABSOLUTE_PATH.sub(lambda m: "…/" + m.group(1), text)
