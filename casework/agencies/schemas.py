"""Agency input and output."""

from marshmallow import fields, validate

from casework.agencies.models import SECTORS
from casework.schemas import Flag, PlainString, StrictSchema, Text

CODE_RULE = validate.Regexp(
    r"^[A-Z0-9][A-Z0-9_-]{1,15}$",
    error="Use 2 to 16 capital letters, digits, hyphens or underscores",
)


class AgencyIn(StrictSchema):
    code = Text(max_length=16, validate=CODE_RULE)
    name = Text(max_length=200)
    sector = PlainString(required=True, validate=validate.OneOf(SECTORS))
    police = Flag(load_default=False)


class AgencyUpdate(StrictSchema):
    name = Text(max_length=200, required=False)
    sector = PlainString(validate=validate.OneOf(SECTORS))
    police = Flag()
    active = Flag()


class AgencyOut(StrictSchema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    sector = fields.String()
    police = fields.Boolean(attribute="is_police")
    active = fields.Boolean()
