"""Account input and output. Passwords are loaded but never dumped."""

from marshmallow import fields, validate

from casework.agencies.schemas import CODE_RULE
from casework.roles import ROLES
from casework.schemas import StrictSchema, Text

ROLE_LIST = fields.List(
    fields.String(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1)
)


class UserIn(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = Text(max_length=200)
    agency = Text(max_length=16, validate=CODE_RULE)
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    password = fields.String(required=True, load_only=True)


class UserUpdate(StrictSchema):
    name = Text(max_length=200, required=False)
    agency = Text(max_length=16, validate=CODE_RULE, required=False)
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1)
    )
    active = fields.Boolean()
    password = fields.String(load_only=True)


class UserOut(StrictSchema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    agency = fields.Function(lambda u: u.agency.code)
    roles = fields.List(fields.String())
    active = fields.Boolean()
    # Locked by failed sign-ins, and until when (``locked_until`` is kept once it has passed).
    locked = fields.Boolean()
    locked_until = fields.DateTime(allow_none=True)


class SignIn(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenOut(StrictSchema):
    id = fields.String()
    token = fields.String()
