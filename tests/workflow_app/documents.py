"""A form on the test app's Ticket, to exercise signatures and PDF rendering."""

from onestop.core import signatures
from tests.workflow_app.models import Ticket


@signatures.register
class TicketForm(signatures.FormDocument):
    code = "ticket_form"
    title = "技術服務申請單"
    model = Ticket
    template_name = "workflow_app/ticket_form.html"
    roles = {"client": "委託方（客戶）", "technician": "受託方（技術人員）"}

    def may_sign(self, user, obj, role):
        # The client's side is signed by its own users, ours by staff.
        if not super().may_sign(user, obj, role):
            return False
        return user.is_client if role == "client" else not user.is_client
