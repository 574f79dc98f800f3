"""Parsing JSON input safely (clear errors, no tracebacks for hostile nesting)."""

from __future__ import annotations

import json
from typing import Any

from ..exc import ImportFormatError
from ._table import decode_text


def load_json(data: bytes) -> Any:
    text = decode_text(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFormatError(f"line {err.lineno}: not valid JSON ({err.msg})") from None
    except RecursionError:
        raise ImportFormatError("not a GeoJSON or JSON table: nested too deeply") from None


def unstorable(record: dict) -> tuple[str, str] | None:
    """(field, reason) for the first property whose text cannot be stored: a lone UTF-16
    surrogate (``"\\ud800"`` in JSON) is no character at all."""
    for key, value in record.items():
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, (list, dict)):
            texts = [json.dumps(value, ensure_ascii=False)]
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as err:
                code = ord(text[err.start])
                return str(key)[:60], f"holds a lone UTF-16 surrogate (\\u{code:04x}), not text"
    return None


def cell(value: Any) -> Any:
    """A JSON property as a table cell: lists and objects as JSON text, the rest as is.

    In that JSON text a byte order mark inside a string is written as its escape
    (``\\ufeff``): the same JSON, and no invisible character stored in the store's text
    (in plain text the validation removes it)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False).replace("\ufeff", "\\ufeff")
    if isinstance(value, bool):
        return str(value).lower()
    return value
