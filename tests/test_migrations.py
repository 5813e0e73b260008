"""A migration that writes rows and then changes their tables (a RunPython before an AlterField
or an index) fails on PostgreSQL once there is data: "cannot ALTER TABLE … because it has
pending trigger events" — the writes queued deferred foreign-key checks, and the migration is
one transaction. Each such function makes the checks immediate before the schema changes."""

import inspect

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from federation.core.registry import project_apps

IMMEDIATE = 'schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")'


def test_data_written_before_a_schema_change_is_checked_first():
    labels = {config.label for config in project_apps()}
    missing = []
    for (label, name), migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items():
        if label not in labels:
            continue
        operations = migration.operations
        for index, operation in enumerate(operations):
            later_schema = any(not isinstance(op, migrations.RunPython) for op in operations[index + 1 :])
            if isinstance(operation, migrations.RunPython) and later_schema:
                if IMMEDIATE not in inspect.getsource(operation.code):
                    missing.append(f"{label}.{name}: {operation.code.__name__}")
    assert missing == []
