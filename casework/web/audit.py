"""The data protection officer's audit-log page and its CSV download.

Filters travel as GET parameters so a search can be bookmarked, paged and downloaded with the
same URL. Dates use the GOV.UK date input (day, month, year boxes) and are joined here into
the ISO dates the action validates, so the page and any other caller share one set of rules.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, stream_with_context, url_for

from casework import clock
from casework.agencies.actions import list_agencies
from casework.audit.actions import AuditPage, export_audit, search_audit
from casework.audit.models import AUDIT_ACTIONS
from casework.audit.schemas import EXPORT_HEADER, FILTER_NAMES, export_row
from casework.errors import Invalid
from casework.exports import csv_chunks, dated_filename
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list

DATE_FIELDS = ("date_from", "date_to")
DATE_PARTS = ("day", "month", "year")
TEXT_FIELDS = tuple(name for name in FILTER_NAMES if name not in DATE_FIELDS)


def _query() -> dict[str, str]:
    """The non-empty parameters this page understands, exactly as typed (for links and the
    form). Anything else in the URL is ignored rather than reported as a form error."""
    names = [*TEXT_FIELDS, "as_of"]
    names += [f"{field}-{part}" for field in DATE_FIELDS for part in DATE_PARTS]
    return {name: value for name in names if (value := request.args.get(name, "").strip())}


def _filters(query: dict[str, str]) -> dict[str, str]:
    """The action's input: date boxes joined into YYYY-MM-DD (a missing or non-numeric box
    makes an invalid date, which the action reports against that field)."""
    filters = {name: query[name] for name in (*TEXT_FIELDS, "as_of") if name in query}
    for field in DATE_FIELDS:
        day, month, year = (query.get(f"{field}-{part}", "") for part in DATE_PARTS)
        if day or month or year:
            filters[field] = f"{year}-{month:0>2}-{day:0>2}"
    return filters


def _error_items(fields: dict[str, list[str]]) -> list[dict[str, str]]:
    """Error summary links go to the first box of a date input, as GOV.UK asks."""
    items = error_list(fields)
    for item in items:
        if item["href"].lstrip("#") in DATE_FIELDS:
            item["href"] += "-day"
    return items


def _pagination(result: AuditPage, query: dict[str, str]) -> dict[str, Any] | None:
    if result.pages <= 1:
        return None

    def href(number: int) -> str:
        return url_for("web.audit_log", **query, page=number)

    shown = sorted({1, result.page - 1, result.page, result.page + 1, result.pages})
    items: list[dict[str, Any]] = []
    for number in (n for n in shown if 1 <= n <= result.pages):
        if items and number - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": number - 1})
        items.append({"number": number, "href": href(number), "current": number == result.page})
    return {
        "items": items,
        "previous": {"href": href(result.page - 1)} if result.page > 1 else None,
        "next": {"href": href(result.page + 1)} if result.page < result.pages else None,
        "landmarkLabel": "Pages of audit entries",
    }


def _render(
    query: dict[str, str],
    result: AuditPage | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Any:
    """The page; only ever reached after the action accepted the caller as a DPO."""
    paged = {**query}
    if result is not None:
        paged["as_of"] = result.as_of.isoformat()
    page = render_template(
        "audit/log.html",
        values=query,
        errors=errors or {},
        error_items=_error_items(errors or {}),
        result=result,
        pagination=_pagination(result, paged) if result else None,
        csv_url=url_for("web.audit_csv", **paged),
        actions=AUDIT_ACTIONS,
        agencies=list_agencies(services(), current_actor()),
    )
    return (page, 422) if errors else page


# policy(): the log names records and fields but holds no case values, and `dpo` is never
# granted case data by a sharing protocol.
@blueprint.get("/audit")
@signed_in
@policy()
def audit_log() -> Any:
    query = _query()
    page = request.args.get("page", 1, type=int)
    try:
        result = search_audit(services(), current_actor(), _filters(query), page=page)
    except Invalid as exc:
        return _render(query, errors=exc.fields)
    return _render(query, result)


@blueprint.get("/audit.csv")
@signed_in
@policy()
def audit_csv() -> Any:
    query = _query()
    try:
        rows = export_audit(services(), current_actor(), _filters(query))
    except Invalid as exc:
        return _render(query, errors=exc.fields)
    filename = dated_filename("audit-log", "csv", clock.today())
    # The request's transaction (with the export's own audit entry) commits before the body
    # streams; stream_with_context keeps the database session until the last row is sent.
    body = stream_with_context(csv_chunks(EXPORT_HEADER, (export_row(r) for r in rows)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
