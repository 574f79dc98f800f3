"""The report as text: checked, cleaned of HTML, split into sentences with their offsets.

Hostile input never reaches the rules: empty text, binary data, text over
:data:`MAX_REPORT_CHARS` and text in a language other than French or English raise
:class:`~incidents.draft.DraftInputError` with a message saying what is wrong. HTML is turned
into its visible text (scripts, styles and comments dropped) and the report says so.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from ..exc import IncidentsError

__all__ = [
    "MAX_REPORT_BYTES",
    "MAX_REPORT_CHARS",
    "DraftInputError",
    "Sentence",
    "clean_report",
    "decode_report",
    "detect_language",
    "split_sentences",
]

#: A dispatch is a few thousand words; 200,000 characters is about 30,000 words.
MAX_REPORT_CHARS = 200_000
MAX_REPORT_BYTES = 4 * MAX_REPORT_CHARS


class DraftInputError(IncidentsError, ValueError):
    """The report cannot be drafted from (empty, binary, too long, not French or English)."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of the report: ``text == report[start:end]``; ``paragraph`` counts blank lines."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


def decode_report(data: bytes) -> str:
    """Bytes of a ``.txt`` or ``.html`` file as text (UTF-8, with or without BOM)."""
    if len(data) > MAX_REPORT_BYTES:
        raise DraftInputError(
            f"the report is {len(data) / 1e6:.1f} MB; the limit is {MAX_REPORT_BYTES / 1e6:.1f} MB "
            "(one dispatch at a time)"
        )
    if b"\x00" in data[:8192]:
        raise DraftInputError("the file is binary, not text (save the report as .txt or .html)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DraftInputError(
            f"the file is not UTF-8 text (bad byte at offset {err.start}); save it as UTF-8"
        ) from None


class _VisibleText(HTMLParser):
    _SKIP = frozenset(
        {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
    )
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "article",
            "section",
            "blockquote",
            "title",
            "header",
            "footer",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.dropped: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
            self.dropped.add(tag)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


_TAG = re.compile(r"<\s*(?:/\s*)?[a-zA-Z!][^>]{0,2000}>")


def looks_like_html(text: str) -> bool:
    return len(_TAG.findall(text[:100_000])) >= 2 or bool(
        re.search(r"<\s*(?:script|html|body|iframe|style)\b", text[:100_000], re.I)
    )


def clean_report(text: str) -> tuple[str, list[str]]:
    """The text the drafts refer to (offsets are into it), and notices about what was removed."""
    if not isinstance(text, str):
        raise DraftInputError("the report must be text")
    if len(text) > MAX_REPORT_CHARS:
        raise DraftInputError(
            f"the report has {len(text):,} characters; the limit is {MAX_REPORT_CHARS:,} "
            "(one dispatch at a time)"
        )
    notices: list[str] = []
    if "\x00" in text:
        raise DraftInputError("the text contains NUL bytes: it is binary data, not a report")
    if looks_like_html(text):
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
        dropped = sorted(parser.dropped)
        notices.append(
            "HTML converted to its visible text"
            + (f"; {', '.join(dropped)} content removed" if dropped else "")
        )
    text = html.unescape(text) if "&" in text and ";" in text else text
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # control characters (other than newlines and tabs) are dropped, never interpreted
    text = re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text
    )
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not re.search(r"[^\W\d_]", text):
        raise DraftInputError("the report is empty (no words to read)")
    return text, notices


#: Words that tell French from English (frequent function words only).
_STOPWORDS = {
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "un",
            "une",
            "et",
            "est",
            "sont",
            "dans",
            "sur",
            "pour",
            "par",
            "avec",
            "qui",
            "que",
            "ont",
            "été",
            "a",
            "au",
            "aux",
            "ce",
            "cette",
            "ses",
            "leur",
            "selon",
            "lors",
            "après",
            "avant",
            "contre",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "in",
            "on",
            "to",
            "a",
            "an",
            "is",
            "are",
            "was",
            "were",
            "has",
            "have",
            "been",
            "by",
            "with",
            "that",
            "for",
            "from",
            "at",
            "after",
            "said",
            "which",
            "their",
            "its",
        ]
    ),
}


def detect_language(text: str) -> str | None:
    """ "fr", "en", or None when the text is neither (too few of their common words)."""
    words = re.findall(r"[^\W\d_]+", text[:20_000].lower())
    if not words:
        return None
    scores = {lang: sum(w in stop for w in words) / len(words) for lang, stop in _STOPWORDS.items()}
    lang = max(scores, key=lambda k: scores[k])
    return lang if scores[lang] >= 0.08 else None


#: Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "lt",
        "col",
        "sgt",
        "etc",
        "vs",
        "no",
        "nos",
        "env",
        "av",
        "apr",
        "jan",
        "feb",
        "fév",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "déc",
        "p",
        "pp",
        "km",
    ]
)
_BOUNDARY = re.compile(r"[.!?…]+[»”\"')\]]*(?=\s+[«“\"'(\[]?[^\W\d_]*[A-ZÀ-ÖØ-Þ0-9«“\"])|\n")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets; a line break always ends a sentence (titles, paragraphs)."""
    sentences: list[Sentence] = []
    start = 0
    paragraph = 0

    def add(end: int) -> None:
        nonlocal start
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            s = start + lead
            sentences.append(Sentence(len(sentences), s, s + len(stripped), stripped, paragraph))
        start = end

    for m in _BOUNDARY.finditer(text):
        if m.group() == "\n":
            add(m.start())
            if text[m.end() : m.end() + 1] == "\n" or text[m.start() - 1 : m.start()] == "\n":
                paragraph += 1
            continue
        before = re.search(r"([^\W\d_]+)$", text[max(0, m.start() - 12) : m.start()])
        if (
            before
            and m.group()[0] == "."
            and (before.group(1).lower() in _ABBREVIATIONS or len(before.group(1)) == 1)
        ):
            continue
        add(m.end())
    add(len(text))
    return sentences
