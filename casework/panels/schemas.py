"""Panel input and output, as CONTRACT.md gives them."""

from marshmallow import ValidationError, fields, validate, validates

from casework.agencies.schemas import CODE_RULE
from casework.panels.cadence import Cadence, CadenceError
from casework.panels.models import PANEL_KINDS
from casework.schemas import StrictSchema, Text

NATIONS = ("england-and-wales", "scotland", "northern-ireland")


class PanelIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(PANEL_KINDS))
    name = Text(max_length=200)
    area = Text(max_length=200)
    agencies = fields.List(
        Text(max_length=16, validate=CODE_RULE), required=True, validate=validate.Length(min=1)
    )
    schedule = Text(max_length=200)
    nation = fields.String(load_default="england-and-wales", validate=validate.OneOf(NATIONS))
    # The Information Sharing Protocol; default: the protocol that covers the panel's kind.
    protocol = fields.String(load_default=None, validate=validate.Length(max=64))

    @validates("schedule")
    def _schedule(self, value: str, **_: object) -> None:
        try:
            Cadence.parse(value)
        except CadenceError as exc:
            raise ValidationError(f"Schedule not understood: {exc}") from None


class PanelOut(StrictSchema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    area = fields.String()
    agencies = fields.List(fields.String(), attribute="agency_codes")
    schedule = fields.String()
    nation = fields.String()
    protocol = fields.String()
    active = fields.Boolean()
