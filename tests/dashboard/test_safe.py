"""dashboard.safe: JSON for inline scripts, URL scheme filter, HTML and template-literal escaping."""

from __future__ import annotations

import json

import pytest

from dashboard.safe import escape_html, escape_js_template, js_json, safe_url

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "</SCRIPT><script>alert(1)</script>",
    "${alert(1)}",
    "`;alert(1);//",
    "<!--<script>",
    "line\u2028separator\u2029",
    "a & b",
    "\"'><svg onload=alert(1)>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_js_json_round_trips_and_hides_markup(text):
    out = js_json({"k": [text, {"n": text}]})
    assert json.loads(out) == {"k": [text, {"n": text}]}
    for bad in ("<", ">", "&", "`", "$", "\u2028", "\u2029"):
        assert bad not in out


@pytest.mark.parametrize(
    "obj, expected",
    [
        ({"a": 1, "b": [1, 2]}, '{"a":1,"b":[1,2]}'),
        ("Київ", '"Київ"'),  # non-ASCII kept: smaller pages
        ("</script>", '"\\u003c/script\\u003e"'),
        (None, "null"),
    ],
)
def test_js_json_table(obj, expected):
    assert js_json(obj) == expected


def test_js_json_refuses_nan():
    with pytest.raises(ValueError):
        js_json(float("nan"))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("  http://example.org/  ", "http://example.org/"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("file:///etc/passwd", None),
        ("//example.org/x", None),
        ("/relative/path", None),
        ("https:alert(1)", None),
        ("https://", None),
        ("https://user:pw@example.org/", None),
        ("https://example.org/a b", None),
        ("https://example.org/a\u2028b", None),
        ("https://[::1", None),
        ("https://example.org/" + "a" * 3000, None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("\"'&", "&quot;&#x27;&amp;"),
        (None, ""),
        (5, "5"),
    ],
)
def test_escape_html(text, expected):
    assert escape_html(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("${alert(1)}", "\\${alert(1)}"),
        ("`;alert(1)", "\\`;alert(1)"),
        ("back\\slash", "back\\\\slash"),
        ("<b>", "&lt;b&gt;"),
        ("a\u2028b", "a\\u2028b"),
    ],
)
def test_escape_js_template(text, expected):
    assert escape_js_template(text) == expected
