"""Operations shared by migrations.

`database_triggers` creates triggers in the dialect of the database (PostgreSQL in production,
SQLite in development), then fills what they will keep up to date.

`relabel_content_types` (migrations that move models between apps, tables unchanged) moves
the content types of the moved models to their new app, so every row that points at them
through a content type — timeline events, reminders sent,
permissions (and their grants), admin log entries — stays attached. If the new app's content
type already exists (created by a `migrate` run before this one), the rows are repointed to
it and the old content type is removed.

Plain SQL (the same statements on PostgreSQL and SQLite), so the migration renders no model state: it stays fast on a large
project and a test can run it back and forth.
"""

from __future__ import annotations

from django.db import migrations

#: (table, column): rows that refer to a content type.
_POINTERS = [
    ("core_timelineevent", "content_type_id"),
    ("core_remindersent", "content_type_id"),
    ("django_admin_log", "content_type_id"),
]
#: (table, owner column): grants of a permission.
_GRANTS = [("auth_group_permissions", "group_id"), ("core_user_user_permissions", "user_id")]


def relabel_content_types(old_app: str, new_app: str, models: list[str]):
    """A RunSQL operation: `old_app.<model>` content types become `new_app.<model>`."""
    return migrations.RunSQL(
        _relabel_sql(old_app, new_app, models), _relabel_sql(new_app, old_app, models)
    )


def _relabel_sql(source: str, target: str, models: list[str]) -> list[tuple[str, list]]:
    """Statements PostgreSQL and SQLite both run (`make run` without `DATABASE_URL`)."""
    marks = ", ".join(["%s"] * len(models))
    pairs = (
        "SELECT o.id AS old_id, n.id AS new_id FROM django_content_type o "  # noqa: S608 - placeholders only
        "JOIN django_content_type n ON n.model = o.model AND n.app_label = %s "
        f"WHERE o.app_label = %s AND o.model IN ({marks})"
    )
    p = [target, source, *models]
    sql: list[tuple[str, list]] = []
    # Both labels exist: repoint what refers to the old content type, then drop it.
    for table, column in _POINTERS:
        sql.append(
            (
                f"UPDATE {table} SET {column} = (SELECT p.new_id FROM ({pairs}) p "  # noqa: S608
                f"WHERE p.old_id = {table}.{column}) "
                f"WHERE {column} IN (SELECT p.old_id FROM ({pairs}) p)",
                p + p,
            )
        )
    # Permissions: those the new content type lacks move; grants of the others follow the
    # codename to the kept permission; the duplicates go.
    sql.append(
        (
            "UPDATE auth_permission SET content_type_id = (SELECT p.new_id "  # noqa: S608
            f"FROM ({pairs}) p WHERE p.old_id = auth_permission.content_type_id) "
            f"WHERE content_type_id IN (SELECT p.old_id FROM ({pairs}) p) "
            f"AND NOT EXISTS (SELECT 1 FROM auth_permission np, ({pairs}) p "
            "WHERE p.old_id = auth_permission.content_type_id AND np.content_type_id = p.new_id "
            "AND np.codename = auth_permission.codename)",
            p * 3,
        )
    )
    duplicates = (
        "SELECT op.id AS old_perm, np.id AS new_perm FROM auth_permission op "  # noqa: S608
        "JOIN auth_permission np ON np.codename = op.codename "
        f"JOIN ({pairs}) p ON op.content_type_id = p.old_id AND np.content_type_id = p.new_id"
    )
    for table, owner in _GRANTS:
        sql.append(
            (
                f"UPDATE {table} SET permission_id = (SELECT d.new_perm "  # noqa: S608
                f"FROM ({duplicates}) d WHERE d.old_perm = {table}.permission_id) "
                f"WHERE permission_id IN (SELECT d.old_perm FROM ({duplicates}) d) "
                f"AND NOT EXISTS (SELECT 1 FROM {table} k, ({duplicates}) d "
                f"WHERE d.old_perm = {table}.permission_id AND k.{owner} = {table}.{owner} "
                "AND k.permission_id = d.new_perm)",
                p * 3,
            )
        )
        sql.append(
            (
                f"DELETE FROM {table} WHERE permission_id IN "  # noqa: S608
                f"(SELECT d.old_perm FROM ({duplicates}) d)",
                p,
            )
        )
    sql.append(
        (
            f"DELETE FROM auth_permission WHERE id IN (SELECT d.old_perm FROM ({duplicates}) d)",  # noqa: S608
            p,
        )
    )
    sql.append(
        (
            f"DELETE FROM django_content_type WHERE id IN (SELECT p.old_id FROM ({pairs}) p)",  # noqa: S608
            p,
        )
    )
    # Only the old label exists (the usual case): relabel it in place.
    sql.append(
        (
            "UPDATE django_content_type SET app_label = %s "  # noqa: S608
            f"WHERE app_label = %s AND model IN ({marks})",
            p,
        )
    )
    return sql


def database_triggers(
    *, postgresql: list[str], sqlite: list[str], fill: str, drop: dict[str, list[str]]
):
    """A RunPython operation: the triggers' statements of the database's vendor, then `fill`
    (the same SQL on both); backwards, the vendor's `drop` statements."""

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
        if statements is None:  # pragma: no cover - PostgreSQL, or SQLite in development
            raise NotImplementedError(vendor)
        for statement in [*statements, fill]:
            schema_editor.execute(statement, params=None)

    def backward(apps, schema_editor):
        for statement in drop.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward)
