"""What counts as text a person typed: the rules every text field applies (CONTRACT.md, Limits).

Text goes into encrypted columns, blind indexes, pages, PDFs and CSV files. Characters nobody
types on purpose break those or mislead their readers:

- a lone surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8 at all, so it failed deep
  inside encryption or the database with a 500;
- control characters (NUL, BEL, ESC sequences) come back raw in pages and in CSV files opened
  by spreadsheets and terminals; tab and line breaks belong only in long, multi-line text;
- a direction override or isolate left open (U+202A-U+202E, U+2066-U+2069 without its PDF or
  PDI) reverses the text that follows it wherever the value is shown, so a name or reference
  can read differently from what is stored;
- invisible characters (zero-width spaces, joiners in Latin text, soft hyphens) make two
  names that look the same compare different, so searches and the repeat-referral rule miss
  the person. Joiners stay allowed between letters of scripts that need them (Persian,
  Indic scripts).

Pure functions: the marshmallow fields in ``casework.schemas`` call them.
"""

from __future__ import annotations

import re
import unicodedata

SURROGATE = "Contains a character that is not valid text: type it again"
CONTROL_LINE = "Remove control characters, tabs and line breaks"
CONTROL_LONG = "Remove control characters (tabs and line breaks are allowed)"
DIRECTION = "Contains a text direction control that is not closed: remove it"
INVISIBLE = "Remove invisible characters, such as zero-width spaces"

_SUSPECT = re.compile(r"[^\x20-\x7e]")  # printable ASCII breaks no rule: the common case
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROLS_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROLS_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Direction controls, and the paragraph ends at which the Unicode bidirectional algorithm
# closes whatever is still open (so each paragraph must balance on its own).
_DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069\n\r\u2029]")
_OPENS = {
    "\u202a": "embedding",  # LRE
    "\u202b": "embedding",  # RLE
    "\u202d": "embedding",  # LRO
    "\u202e": "embedding",  # RLO
    "\u2066": "isolate",  # LRI
    "\u2067": "isolate",  # RLI
    "\u2068": "isolate",  # FSI
}
_CLOSES = {"\u202c": "embedding", "\u2069": "isolate"}  # PDF, PDI
_JOINERS = "\u200c\u200d"  # ZWNJ, ZWJ
_SCRIPTS_WITHOUT_JOINERS = ("LATIN", "GREEK", "CYRILLIC")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable text, or None. ``multiline`` allows tab and line
    breaks (long text: minutes, research, reasons) and invisible formatting characters."""
    if not _SUSPECT.search(value):
        return None
    if _SURROGATES.search(value):
        return SURROGATE
    if (_CONTROLS_LONG if multiline else _CONTROLS_LINE).search(value):
        return CONTROL_LONG if multiline else CONTROL_LINE
    if not directions_balanced(value):
        return DIRECTION
    if not multiline and _has_invisible(value):
        return INVISIBLE
    return None


def directions_balanced(value: str) -> bool:
    """Every embedding, override and isolate is closed, in order, within its paragraph."""
    open_: list[str] = []
    for match in _DIRECTION.finditer(value):
        char = match.group()
        if char in _OPENS:
            open_.append(_OPENS[char])
        elif char in _CLOSES:
            if not open_ or open_.pop() != _CLOSES[char]:
                return False
        elif open_:  # a paragraph ended with something still open
            return False
    return not open_


def _has_invisible(value: str) -> bool:
    for i, char in enumerate(value):
        if char in _OPENS or char in _CLOSES or unicodedata.category(char) != "Cf":
            continue
        if char in _JOINERS and _joins_letters(value, i):
            continue
        return True
    return False


def _joins_letters(value: str, i: int) -> bool:
    """A joiner between two letters of a script that uses joiners (Persian names need ZWNJ)."""
    if i == 0 or i == len(value) - 1:
        return False
    for char in (value[i - 1], value[i + 1]):
        if unicodedata.category(char)[0] not in "LM":
            return False
        if unicodedata.name(char, "").startswith(_SCRIPTS_WITHOUT_JOINERS):
            return False
    return True
