"""Submit a page's form the way a browser does, for test-client tests of pages that are one
form with several buttons (``casework.web.kept``): every field the form owns is sent (those
inside it and those joined by a ``form`` attribute), with what it shows now, plus the changes
the test "types" and the pressed button's name and value."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient


class _Fields(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def _owned(self, attrs: dict[str, Any]) -> bool:
        return attrs.get("form") == self.form_id if "form" in attrs else self.inside

    def handle_starttag(self, tag: str, pairs: list[tuple[str, str | None]]) -> None:
        attrs = dict(pairs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside, self.action = True, attrs.get("action") or ""
        elif not self._owned(attrs) and tag != "option":
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text).removeprefix("\n")
            self.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_fields(html: str, form_id: str) -> tuple[str, list[tuple[str, str]]]:
    """The form's action and its fields as the page shows them."""
    parser = _Fields(form_id)
    parser.feed(html)
    return parser.action, parser.fields


def submit(
    client: FlaskClient,
    page: str,
    form_id: str,
    button: tuple[str, str],
    typed: dict[str, str | list[str]] | None = None,
    html: str | None = None,
) -> Any:
    """Load ``page`` (or use ``html``, a page already answered), change the fields in
    ``typed`` (a list ticks several checkboxes; an empty string clears or unticks) and press
    ``button`` (its name and value)."""
    action, fields = form_fields(html if html is not None else client.get(page).text, form_id)
    assert action, f"{page} has no form #{form_id}"
    typed = typed or {}
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name not in typed:
            data.setdefault(name, []).append(value)
    for name, value in typed.items():
        values = value if isinstance(value, list) else [value]
        data[name] = [v for v in values if v != ""] if isinstance(value, list) else values
    data.setdefault(button[0], []).append(button[1])
    return client.post(action, data=data)
