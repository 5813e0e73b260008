"""Trigram indexes for searching people and households by part of a name, an ID number, a
phone or a household number on PostgreSQL.

The admin searches with UPPER(column) LIKE UPPER('%term%'): the indexes are on that
expression. SQLite (a town's own small server) searches without them."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "federation_person_name_trgm": ("federation_person", "name"),
    "federation_person_id_number_trgm": ("federation_person", "id_number"),
    "federation_person_phone_trgm": ("federation_person", "phone"),
    "federation_household_number_trgm": ("federation_household", "number"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, column) in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("federation", "0013_purgerecord")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
