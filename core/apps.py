from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from .timeline_text import register_core_labels

        register_core_labels()  # the words of core's own history events
        from .third_party_names import rename_third_party_models

        rename_third_party_models()  # django-otp and django-axes in French in the admin
        from .outbox import register_dispatcher
        from .registry import register_home_panel, register_nav
        from .reminders import register_dispatcher as register_reminders_dispatcher
        from .roles import DIRECTION_ROLES, Role
        from .tasks import outbox_process, reminders_send_batch

        # The outbox hands its messages to the Celery task (core never imports it at load).
        register_dispatcher(lambda pk: outbox_process.apply_async(args=[pk], retry=False))
        # The reminder sweep hands each claimed batch to the workers the same way.
        register_reminders_dispatcher(
            lambda rule, today, ids: reminders_send_batch.apply_async(
                args=[rule, today, ids], retry=False
            )
        )

        register_nav(label=_("Accueil"), url_name="core:home", roles=set(Role), order=0)
        register_nav(
            label=_("Journal des modifications"),
            url_name="core:audit_log",
            roles=DIRECTION_ROLES,
            order=85,
        )
        register_home_panel(template="core/panels/admin.html", roles={Role.ADMIN}, order=90)

        # Personal data (RGPD): the account, its timeline and reminders; the page "Mes données".
        from .personal_data import register_core_provider

        register_core_provider()
        register_nav(
            label=_("Mes données personnelles"),
            url_name="core:my_data",
            roles=set(Role),
            order=96,
            menu="account",
        )
        register_nav(
            label=_("Données personnelles (RGPD)"),
            url_name="core:rgpd",
            roles=DIRECTION_ROLES,
            order=97,
            menu="account",
        )
        # Issue 9: « Sécurité du compte » in every user's menu; what a login records.
        from django.contrib.auth.signals import user_logged_in

        from .otp import otp_on_login

        register_nav(
            label=_("Sécurité du compte"),
            url_name="core:security",
            roles=set(Role),
            order=80,
            menu="account",
        )
        user_logged_in.connect(otp_on_login, dispatch_uid="core.security.on_login")
