"""What a name is reduced to before it is hashed, and when two names are "the same".

Two forms, for two questions:

* ``words``: the folded words a name is found by. Diacritics stripped (Zoë -> zoe), case
  folded, apostrophes dropped (O'Brien -> obrien), split on spaces and hyphens, and a
  hyphenated or double-barrelled name also kept whole (Smith-Jones -> smith, jones,
  smithjones), so each half and the whole are found.
* ``sounds``: the Double Metaphone codes of a folded word (primary and alternate), so
  Sara/Sarah, Stephen/Steven, McDonald/MacDonald and Smyth/Smith meet.

``exact_form`` answers the other question, "is this the name as typed?": case-insensitive but
keeping diacritics and punctuation, so a match through folding or sound is marked ``similar``.
"""

from __future__ import annotations

import re
import unicodedata

from doublemetaphone import doublemetaphone

_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2013\u2014]+")
_DROP = re.compile(r"['\u2019\u2018`\u00b4\u02bc.]")
MAX_WORDS = 8  # a name longer than this is someone's notes, not a name: the rest is ignored


def fold(word: str) -> str:
    """One word without diacritics, case or punctuation: letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", word).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def words(*parts: str | None) -> list[str]:
    """The folded words of a name (given in parts: first name, last name), in order, each
    once; a multi-word part is also kept joined ("Smith-Jones" is found as "smithjones")."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        pieces = [w for p in _SPLIT.split(_DROP.sub("", part)) if (w := fold(p))]
        if len(pieces) > 1:
            pieces.append("".join(pieces))
        for piece in pieces:
            if piece not in out:
                out.append(piece)
    return out[:MAX_WORDS]


def query_words(text: str) -> list[str]:
    """The words a search is made of: every word typed must be found (not the joined form)."""
    pieces = [w for p in _SPLIT.split(_DROP.sub("", text)) if (w := fold(p))]
    return list(dict.fromkeys(pieces))[:MAX_WORDS]


def sounds(word: str) -> list[str]:
    """Double Metaphone codes of a folded word (one or two); none for digits alone."""
    if not any(ch.isalpha() for ch in word):
        return []
    ascii_word = word.encode("ascii", "ignore").decode()
    if not ascii_word:  # a script Double Metaphone does not know: found by its letters only
        return []
    return [c for c in dict.fromkeys(doublemetaphone(ascii_word)) if c]


def exact_form(text: str | None) -> str:
    """A name as typed, ignoring only case and spacing."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def is_exact(query: str, first: str | None, last: str | None) -> bool:
    """Did the caller type this person's name (whole, surname or first name) as it is held?"""
    wanted = exact_form(query)
    held = {exact_form(f"{first or ''} {last or ''}"), exact_form(last), exact_form(first)}
    return bool(wanted) and wanted in held


def resembles(query: str, first: str | None, last: str | None) -> bool:
    """Does every word typed equal or sound like a word of this name? (Checks a candidate
    found by truncated hashes, which may collide, against the decrypted name.)"""
    held = words(first, last)
    held_sounds = {s for w in held for s in sounds(w)}
    return all(w in held or set(sounds(w)) & held_sounds for w in query_words(query))
