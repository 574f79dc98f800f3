"""Text that reaches a browser: JSON for inline scripts, link targets, HTML and JS template text.

Record text (place names, notes, actors, sources, URLs, who claims an event) comes from
files and people we do not control. None of it may run in the analyst's browser. The rules:

* Data goes into a page only as JSON made by :func:`js_json`, which also escapes ``<``, ``>``,
  ``&`` and the JavaScript line separators, so no value can close the ``<script>`` element or
  open a comment/markup inside it, whatever it contains.
* Record text is never concatenated into JavaScript or HTML source: the browser side reads
  it out of that JSON and puts it in the page with ``textContent``.
* Only ``http``/``https`` URLs with a host become links (:func:`safe_url`; the browser side
  checks the scheme again).
* :func:`escape_html` and :func:`escape_js_template` are for the places where text has to be
  spliced into markup or into a JavaScript template literal (e.g. a folium ``Tooltip``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["MAX_URL_LENGTH", "escape_html", "escape_js_template", "js_json", "safe_url"]

MAX_URL_LENGTH = 2048

_JS_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
    "`": "\\u0060",
    "$": "\\u0024",
}
_JS_JSON_RE = re.compile("[<>&\u2028\u2029`$]")


def js_json(obj: Any) -> str:
    """``obj`` as JSON that can be put verbatim inside ``<script>...</script>``.

    Compact, non-ASCII kept as is (smaller pages for Cyrillic text), NaN/Infinity refused
    (they are not JSON), and ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``
    escapes, so no value can end the script element. Backticks and ``$`` are escaped too, so
    the text stays inert even if someone pastes it into a JavaScript template literal. The
    result is a valid JSON text and a valid JavaScript expression that decodes to ``obj``.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JS_JSON_RE.sub(lambda m: _JS_JSON_ESCAPES[m.group()], text)


# C0 controls, DEL, whitespace and the invisible characters browsers strip from URLs.
_URL_BAD_CHARS = re.compile(
    r"[\x00-\x20\x7f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)


def safe_url(url: Any) -> str | None:
    """``url`` if it is an absolute ``http``/``https`` URL with a host, else None.

    Leading and trailing whitespace is dropped; a URL containing whitespace or control
    characters inside, credentials (``user@host``, a phishing trick) or longer than
    :data:`MAX_URL_LENGTH` is refused. Anything refused is shown as plain text, never a link.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or _URL_BAD_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return url


def escape_html(text: Any) -> str:
    """``text`` for HTML element content or a quoted attribute value (None is empty)."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True)


def escape_js_template(text: Any) -> str:
    """``text`` for the inside of a JavaScript template literal (`` `...` ``), also HTML-escaped.

    Backslashes, backticks and ``${`` are escaped so the text cannot end the literal or
    start an interpolation; ``<``, ``>``, ``&`` and quotes are HTML-escaped because such
    literals usually end up as HTML; line separators are escaped.
    """
    out = escape_html(text)
    out = out.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
