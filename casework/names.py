"""People's names in one display form: "amelia HART" reads "Amelia Hart" on every page and file.

Names are stored exactly as typed, and searching and matching use the stored text, never this
form: only what people read goes through ``display_name``. The rules, word by word:

* a word typed in mixed case is the person's own spelling and is kept ("DeVito", "LaToya",
  "d'Souza" stay as typed): only words typed all in lower or all in upper case change;
* such a word gets a capital first letter and lower case after it ("HART" -> "Hart");
* Mc and Mac prefixes capitalise the letter after them ("mcdonald" -> "McDonald",
  "MACLEOD" -> "MacLeod"), except short names and common names that merely begin with "mac"
  ("Mack", "Mace", "Machin", "Mackie", "Macey": no capital after "Mac");
* after an apostrophe or a hyphen a part starts again ("o'neil" -> "O'Neil",
  "smith-jones" -> "Smith-Jones"), so double-barrelled names keep both capitals;
* linking words inside a name ("van", "der", "de", "du", "la", ...) stay lower case except at
  its start or end: "jan van der berg" -> "Jan van der Berg", a surname alone "van der berg"
  -> "Van der Berg", as UK forms print them, while "jane le" (a surname) -> "Jane Le".

Nothing is removed or reordered, and spacing is kept: the display form differs from the typed
one only in letter case, so it can never say a different name.
"""

from __future__ import annotations

import re

# Words that start "mac" but are not Mac + a name: the capital after "Mac" would be wrong.
NOT_MAC = frozenset(
    {
        "macaulay",
        "macedo",
        "macey",
        "machado",
        "machar",
        "machin",
        "machlin",
        "macias",
        "mackie",
        "mackle",
        "macklin",
        "macon",
        "macquarie",
        "macomber",
    }
)
# Lower case inside a name (not at its start); all of them particles of surnames.
PARTICLES = frozenset(
    {"da", "de", "del", "della", "der", "di", "du", "la", "le", "van", "von", "den", "ter", "ten"}
)
_PIECES = re.compile(r"([-'\u2019])")  # split keeps the separators
_WORDS = re.compile(r"(\s+)")


def _single_case(text: str) -> bool:
    return text == text.lower() or text == text.upper()


def _cap(letter: str) -> str:
    """A capital, unless it would be more than one letter ("ß" -> "SS"): then as it was."""
    upper = letter.upper()
    return upper if len(upper) == len(letter) else letter


def _prefixed(lower: str) -> str:
    """One lower-case part with its first letter, and any Mc/Mac name's next, capitalised."""
    if lower.startswith("mc") and len(lower) > 3:
        return "Mc" + _cap(lower[2]) + lower[3:]
    if lower.startswith("mac") and len(lower) > 5 and lower not in NOT_MAC:
        return "Mac" + _cap(lower[3]) + lower[4:]
    return _cap(lower[:1]) + lower[1:]


def _word(word: str, inside: bool) -> str:
    if not _single_case(word):
        return word
    if inside and word.lower() in PARTICLES:
        return word.lower()
    pieces = _PIECES.split(word.lower())
    return "".join(p if not p or _PIECES.fullmatch(p) else _prefixed(p) for p in pieces)


def display_name(value: object) -> str:
    """A name (or names, space separated) in its display form; "" for none. See the module
    docstring for the rules; the result differs from ``value`` only in letter case."""
    if value is None:
        return ""
    chunks = _WORDS.split(str(value))
    words = [n for n, c in enumerate(chunks) if c and not c.isspace()]
    for n in words:
        chunks[n] = _word(chunks[n], inside=words[0] < n < words[-1])
    return "".join(chunks)


def full_name(*parts: object) -> str:
    """First and last names (any may be missing) joined as one name in display form."""
    return display_name(" ".join(str(p).strip() for p in parts if p and str(p).strip()))
