"""What the withdrawal-of-consent form posts: how it was received (optional, a choice), and the confirmation."""
from __future__ import annotations

from marshmallow import fields
from marshmallow.validate import Equal, OneOf

from ..schemas.base import N_, Schema
from .service import RECEIVED_CHANNELS


class WithdrawalForm(Schema):
    received = fields.String(load_default=None, validate=OneOf(RECEIVED_CHANNELS,
                                                               error=N_("Choose how it reached you from the list.")))
    confirm = fields.String(required=True, validate=Equal("yes", error=N_("Tick this box to confirm.")),
                            error_messages={"required": N_("Tick this box to confirm.")})
