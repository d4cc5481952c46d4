"""After a transactional test, the test database as the migrations left it, quickly.

A transactional test (live server, Celery worker, real commits) writes to the test database for
good. Tests run in any order (pytest-xdist moves them between processes) and each expects the
reference data the migrations loaded (relays, départements, offers, themes, content types…).
So the end of every transactional test (Django's `TransactionTestCase._fixture_teardown`, which
would only empty the tables and re-create content types and permissions) restores that data:

- PostgreSQL: the tables that have rows are emptied (DELETE, cheaper than TRUNCATE for a few
  rows; TRUNCATE for the ledger's tables, whose triggers refuse DELETE), the tables that had
  rows after the migrations are loaded back by binary COPY, and every sequence is put back
  where the migrations left it;
- SQLite: flush, then Django's deserialisation of the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction

ALIAS = "default"


@dataclass
class ReferenceData:
    database: str  # the test database it was taken from (and the only one it restores)
    tables: list[str] = field(default_factory=list)
    no_delete: set[str] = field(default_factory=set)  # tables whose triggers refuse DELETE
    copies: dict[str, bytes] = field(default_factory=dict)  # PostgreSQL: table -> COPY data
    sequences: list[tuple[str, int | None]] = field(default_factory=list)
    serialized: str = ""  # other databases: Django's serialisation

    def restore(self) -> None:
        connection = connections[ALIAS]
        if connection.settings_dict["NAME"] != self.database:
            return  # never touch another database (a demo clone is dropped after its test)
        if connection.vendor == "postgresql":
            self._restore_postgresql(connection)
        else:
            self._restore_serialized(connection)

    def _restore_postgresql(self, connection) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in self.tables
                ),
                self.tables,
            )
            filled = [table for (table,) in cursor.fetchall()]
            # foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY
            # DEFERRED): the order of the deletions does not matter
            truncated = [t for t in filled if t in self.no_delete]
            if truncated:
                cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in truncated)} CASCADE")
            for table in filled:
                if table not in self.no_delete:
                    cursor.execute(f"DELETE FROM {quote(table)}")
            for table, data in self.copies.items():
                with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
            if self.sequences:
                cursor.execute(
                    "SELECT "
                    + ", ".join(
                        "setval(%s::regclass, COALESCE(%s, 1), %s IS NOT NULL)"
                        for _ in self.sequences
                    ),
                    [p for name, value in self.sequences for p in (name, value, value)],
                )

    def _restore_serialized(self, connection) -> None:
        from django.apps import apps

        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(self.serialized)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)


def snapshot() -> ReferenceData:
    """The test database's content right after the migrations (call once, before any test)."""
    connection = connections[ALIAS]
    data = ReferenceData(database=connection.settings_dict["NAME"])
    if connection.vendor != "postgresql":
        data.serialized = (
            getattr(connection, "_test_serialized_contents", None)
            or connection.creation.serialize_db_to_string()
        )
        return data
    quote = connection.ops.quote_name
    data.tables = sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
    with connection.cursor() as cursor:
        for table in data.tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
            if cursor.fetchone()[0]:
                with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                    data.copies[table] = b"".join(bytes(chunk) for chunk in copy)
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
            " WHERE schemaname = current_schema() ORDER BY 1"
        )
        data.sequences = list(cursor.fetchall())
        # row triggers on DELETE (tgtype bits: 1 row, 8 delete), the ledger's immutability
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgtype & 9 = 9"
        )
        data.no_delete = {name for (name,) in cursor.fetchall()} & set(data.tables)
    return data
