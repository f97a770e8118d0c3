"""Joining the workshop: a display name of the participant's choosing and a role, nothing more.

The roles offered are the programme's (``programme.yaml``), in plain words; the first is chosen until
the participant picks another.
"""

from __future__ import annotations

import ipywidgets as w
import traitlets

from dpup_eval.workshop import Participant
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import Message, button, text_html

__all__ = ["JoinPanel"]


class JoinPanel(w.VBox):
    """Name + role + a Join button. ``participant_id`` (0 until joined) is what the other panels watch.

    A name already taken with the same role carries on as that participant (a reloaded page, a phone
    that went to sleep); with another role it is refused, so nobody speaks for someone else by accident.
    """

    participant_id = traitlets.Int(0)

    def __init__(self, session: WorkshopSession, **kwargs: object) -> None:
        self.session = session
        self.name = w.Text(
            description="Your name for today (a first name or a nickname is fine)",
            placeholder="e.g. Aroha",
            style={"description_width": "initial"},
        )
        self.role = w.RadioButtons(
            options=[(role.name, role.id) for role in session.roles],
            value=session.roles[0].id,
            description="I am taking part as",
            style={"description_width": "initial"},
        )
        self.join_button = button("Join the workshop", primary=True)
        self.message = Message()
        self.joined = w.HTML()
        self.join_button.on_click(self.on_join)
        self.form = w.VBox([self.name, self.role, self.join_button])
        super().__init__([self.form, self.message, self.joined], **kwargs)

    def on_join(self, _: object = None) -> None:
        def action() -> str:
            participant = self._join()
            self.session.participant = participant
            self.joined.value = text_html(
                ("p", f"You are taking part as {participant.display_name} ({self.session.role_name(participant.role)})."),
                cls="dpup-result",
            )
            self.form.layout.display = "none"
            self.participant_id = participant.id
            return f"welcome, {participant.display_name}."

        self.message.attempt(action)

    def _join(self) -> Participant:
        store, workshop = self.session.store, self.session.workshop
        existing = store.find_participant(workshop.id, self.name.value)
        if existing is not None and existing.role == self.role.value:
            return existing
        return store.join(workshop.id, self.name.value, self.role.value)
