from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from core.outbox import register_handler
        from core.registry import register_home_panel, register_nav
        from core.roles import STAFF_READER_ROLES, Role
        from diagnostics.journey import register_diagnosis_journey

        from . import journey, notifications, personal_data, reminders, thread, timeline_labels
        from .exports import on_export_requested
        from .selectors import enrolment_counts_by_state
        from .services import on_diagnosis_submitted

        # Events: the diagnosis moves the journey on (agreements, groups and follow-ups react
        # to the enrolment's events from their own apps); the owner is told the request is sent.
        register_handler("diagnosis.submitted", on_diagnosis_submitted, sync=True)
        register_handler("enrolment.offer_chosen", notifications.on_request_sent)
        register_handler("enrolment.export_requested", on_export_requested)
        # a message on a dossier: the other side is told by e-mail, once (enrolment/thread.py)
        register_handler(thread.MESSAGE_POSTED, thread.on_message_posted)
        reminders.register()
        personal_data.register()
        timeline_labels.register()  # the history in words (core.timeline_text)
        # the self-diagnosis pages show the journey's step and lead back to the dossier
        register_diagnosis_journey(journey.diagnosis_journey_for)

        register_nav(
            label=_("Mon entreprise"),
            url_name="enrolment:start",
            roles={Role.OWNER},
            order=10,
            badge=lambda user: thread.unread_count(user=user),
            badge_label=_("messages non lus"),
        )
        register_nav(
            label=_("Inscriptions"),
            url_name="enrolment:staff_list",
            roles=STAFF_READER_ROLES,
            order=20,
            badge=lambda user: thread.unread_count(user=user),
            badge_label=_("messages non lus"),
        )
        # The owner's home is the company's dossier (enrolment/journey.py).
        register_home_panel(
            template="enrolment/panels/owner.html",
            roles={Role.OWNER},
            context=journey.owner_home_context,
            order=10,
        )
        register_home_panel(
            template="enrolment/panels/states.html",
            roles=STAFF_READER_ROLES,
            context=lambda user: {"state_counts": enrolment_counts_by_state(user=user)},
            order=10,
        )
