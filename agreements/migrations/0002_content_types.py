"""Content types of the models moved from `enrolment` now carry the `agreements` label: timeline
events, reminders sent, permissions and admin log entries pointing at them stay attached."""

from django.db import migrations

from core.migration_ops import relabel_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("core", "0003_reminders_outbox_attempts"),
    ]

    operations = [relabel_content_types("enrolment", "agreements", ["agreement", "agreementsignature", "agreementbatch", "agreementbatchitem"])]
