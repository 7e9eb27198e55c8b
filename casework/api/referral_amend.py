"""API: amending a referral, and its versions (docs/referrals.md, "Amendments")."""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.referrals import amend, amend_versions
from casework.referrals.manage_schemas import ReferralStateOut
from casework.referrals.schemas import ReferralIn
from casework.schemas import StrictSchema, Text


def _optional(field: fields.Field) -> fields.Field:
    described = copy.copy(field)
    described.required = False
    return described


# The document's view of the body: the submission's fields, each optional (objects merge key
# by key, lists replace), less the panel, plus the reason. Built from ReferralIn, so a field
# added to the submission is documented here too.
ReferralAmendmentIn = StrictSchema.from_dict(
    {
        **{
            name: _optional(field)
            for name, field in ReferralIn._declared_fields.items()
            if name not in amend.FIXED
        },
        "reason": Text(max_length=amend.REASON_MAX, multiline=True),
    },
    name="ReferralAmendmentIn",
)


class ReferralChangeOut(StrictSchema):
    field = fields.String(metadata={"description": "the changed path, e.g. victim.last_name"})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class ReferralChangedByOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    email = fields.String()


class ReferralVersionOut(StrictSchema):
    id = fields.String()
    number = fields.Integer()
    at = fields.DateTime()
    status = fields.String(metadata={"description": "the referral's status when amended"})
    by = fields.Nested(ReferralChangedByOut, allow_none=True)
    reason = fields.String(allow_none=True)
    changes = fields.List(fields.Nested(ReferralChangeOut))


class ReferralAmendedOut(StrictSchema):
    version = fields.Nested(ReferralVersionOut)
    referral = fields.Nested(ReferralStateOut)


class ReferralVersionsOut(StrictSchema):
    id = fields.String()
    reference = fields.String()
    status = fields.String()
    versions = fields.List(fields.Nested(ReferralVersionOut))


@blueprint.patch("/referrals/<referral_id>")
@endpoint(
    summary="Amend a referral with a reason: the referrer until it is accepted, then the "
    "panel's coordinator; risk, criteria and repeat are decided again",
    tag="referrals",
    policy=("referral",),
    body=ReferralAmendmentIn,
    response=ReferralAmendedOut,
    errors=(409,),
)
def amend_referral(referral_id: str) -> Any:
    return amend.amend_referral(services(), current_actor(), referral_id, json_body())


@blueprint.get("/referrals/<referral_id>/versions")
@endpoint(
    summary="A referral's amendments, each showing only the fields the caller may see",
    tag="referrals",
    policy=("referral",),
    response=ReferralVersionsOut,
)
def referral_versions(referral_id: str) -> Any:
    return amend_versions.list_versions(services(), current_actor(), referral_id)
