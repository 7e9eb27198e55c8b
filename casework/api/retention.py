"""API: the data protection officer's retention work, as on the retention page
(docs/retention.md): the review list, legal holds, erasure in batches.

Every endpoint answers 404 to anyone but a DPO, as for something that does not exist. No
answer holds a case value: records are named by reference, panel, dates and status.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.retention import actions
from casework.retention.schemas import EraseIn, HoldIn

TAG = "retention"
DPO = ("dpo",)


class RetentionItemOut(Schema):
    id = fields.UUID(metadata={"description": "The review list row: what an erasure chooses"})
    record_type = fields.String(
        metadata={"description": "marac_referral, referral_draft, nominal or asb_case"}
    )
    record_id = fields.UUID()
    reference = fields.String(allow_none=True)
    panel = fields.String(allow_none=True)
    agency = fields.String(allow_none=True, metadata={"description": "A draft's agency"})
    started = fields.Date(
        allow_none=True,
        metadata={
            "description": "Referral date (a referral, an ASB case), last change (a draft), "
            "the day a nominal left their last cohort"
        },
    )
    status = fields.String(allow_none=True)
    due_on = fields.Date()
    listed_on = fields.Date()


class RetentionHoldOut(Schema):
    id = fields.UUID()
    record_type = fields.String()
    record_id = fields.UUID()
    reference = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    placed_at = fields.DateTime()


class RetentionErasureOut(Schema):
    id = fields.UUID()
    record_type = fields.String()
    record_id = fields.UUID()
    reference = fields.String(allow_none=True)
    batch_id = fields.UUID()
    erased_at = fields.DateTime()
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Rows emptied or deleted, per table (never a value)"},
    )


class RetentionReviewOut(Schema):
    periods = fields.Dict(keys=fields.String(), values=fields.String())
    audit_past_period = fields.Integer(
        metadata={"description": "Audit entries older than their period (kept: see the docs)"}
    )
    due = fields.List(fields.Nested(RetentionItemOut))
    holds = fields.List(fields.Nested(RetentionHoldOut))
    erasures = fields.List(
        fields.Nested(RetentionErasureOut), metadata={"description": "The last 20"}
    )


class RetentionErasedOut(Schema):
    erased = fields.List(fields.Nested(RetentionErasureOut))


@blueprint.get("/retention/due")
@endpoint(
    summary="Records whose retention period has ended (held ones left out), the holds "
    "standing, the periods in force and the last erasures",
    tag=TAG,
    policy=(),
    response=RetentionReviewOut,
    roles=DPO,
    errors=(404,),
    never=(403,),  # anyone but a DPO is answered 404
)
def retention_due() -> Any:
    view = actions.review(services(), current_actor())
    return RetentionReviewOut().dump(
        {
            "periods": view.periods,
            "audit_past_period": view.audit_past_period,
            "due": view.items,
            "holds": view.holds,
            "erasures": view.erasures,
        }
    )


@blueprint.post("/retention/holds")
@endpoint(
    summary="Put a record on legal hold, by a referral's or an ASB case's reference or a "
    "nominal's record id, with the reason: it is never listed while the hold stands",
    tag=TAG,
    policy=(),
    body=HoldIn,
    status=201,
    response=RetentionHoldOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
    location="/api/v1/retention/holds/{id}",
)
def retention_hold() -> Any:
    hold = actions.place_hold(services(), current_actor(), json_body())
    return RetentionHoldOut().dump(
        {
            **{k: getattr(hold, k) for k in ("id", "record_type", "record_id", "placed_at")},
            "reason": hold.reason,
            "reference": actions.reference_of(services().session, hold.record_type, hold.record_id),
        }
    ), 201


@blueprint.delete("/retention/holds/<hold_id>")
@endpoint(
    summary="Lift a legal hold (the record is listed again when its period has ended)",
    tag=TAG,
    policy=(),
    status=204,
    roles=DPO,
    never=(403, 422),  # anyone but a DPO is answered 404
)
def retention_lift(hold_id: str) -> Any:
    actions.lift_hold(services(), current_actor(), hold_id)
    return "", 204


@blueprint.post("/retention/erasures")
@endpoint(
    summary="Erase a batch of records from the review list, all or none: the review list "
    "rows' ids, the reason and confirm: true",
    tag=TAG,
    policy=(),
    body=EraseIn,
    response=RetentionErasedOut,
    roles=DPO,
    never=(403,),  # anyone but a DPO is answered 404
)
def retention_erase() -> Any:
    done = actions.erase(services(), current_actor(), json_body())
    return RetentionErasedOut().dump({"erased": done})
