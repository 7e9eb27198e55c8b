"""The search page, and the search box on every signed-in page for case roles.

The box posts (never a GET: a name typed into it must not land in a URL, a browser history or
an access log); the page answers with the results, through the same action as the API.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request

from casework.errors import Forbidden, Invalid
from casework.http import current_actor, services
from casework.roles import CASE_ROLES
from casework.routes import policy, signed_in
from casework.search.actions import search
from casework.web.blueprint import blueprint

ROLE_NAMES = {
    "victim": "Victim",
    "perpetrator": "Perpetrator",
    "child": "Child",
    "nominal": "Nominal",
}
PARTS = ("day", "month", "year")


@blueprint.app_context_processor
def _search_box() -> dict[str, Any]:
    def search_box() -> bool:
        """Whether to show the search box: the reader works on cases."""
        actor = g.get("actor")
        return actor is not None and actor.has_any(*CASE_ROLES)

    return {"search_box": search_box}


def _date_of_birth(form: Any) -> str | None:
    """The three date boxes as an ISO date for the action to check (None when all empty)."""
    day, month, year = (form.get(f"date_of_birth-{p}", "").strip() for p in PARTS)
    if not (day or month or year):
        return None
    return f"{year}-{month.zfill(2)}-{day.zfill(2)}"


@blueprint.route("/search", methods=["GET", "POST"])
@signed_in
@policy("referral", "nominal")
def search_page() -> Any:
    actor = current_actor()
    if not actor.has_any(*CASE_ROLES):
        raise Forbidden()
    values = {k: request.form.get(k, "") for k in ("q", *(f"date_of_birth-{p}" for p in PARTS))}
    results: list[dict[str, Any]] | None = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        query = {"q": values["q"]}
        born = _date_of_birth(request.form)
        if born is not None:
            query["date_of_birth"] = born
        try:
            results = search(services(), actor, query)
        except Invalid as exc:
            errors = {
                k: [m.replace("Not a valid date.", "Enter a real date") for m in v]
                for k, v in exc.fields.items()
            }
    html = render_template(
        "search/results.html",
        title="Search",
        values=values,
        results=results,
        role_names=ROLE_NAMES,
        errors=errors,
        error_items=[
            {"text": m, "href": f"#{'q' if k == 'q' else 'date_of_birth'}"}
            for k, v in errors.items()
            for m in v
        ],
    )
    return (html, 422) if errors else html
