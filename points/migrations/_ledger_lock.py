"""The ledger's period-lock triggers (migrations 0009 and 0015): a line dated in an approved
period of its village can neither be written nor changed, whatever writes it."""

LOCKED = (
    "EXISTS (SELECT 1 FROM federation_periodsubmission s WHERE s.village_id = NEW.village_id "
    "AND s.status = 'approved' AND NEW.date >= s.start AND NEW.date <= s.\"end\")"
)
LOCKED_BEFORE = LOCKED.replace("NEW.", "OLD.")

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION points_entry_period_open() RETURNS trigger AS $$
BEGIN
    IF {LOCKED} OR (TG_OP = 'UPDATE' AND {LOCKED_BEFORE}) THEN
        RAISE EXCEPTION 'points_pointentry: the period of % in village % is approved and locked', NEW.date, NEW.village_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER points_entry_period_open BEFORE INSERT OR UPDATE ON points_pointentry
    FOR EACH ROW EXECUTE FUNCTION points_entry_period_open();
"""

SQLITE = [
    f"""CREATE TRIGGER points_entry_period_insert BEFORE INSERT ON points_pointentry
    WHEN {LOCKED}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: points_pointentry period approved and locked'); END""",
    f"""CREATE TRIGGER points_entry_period_update BEFORE UPDATE ON points_pointentry
    WHEN {LOCKED} OR {LOCKED_BEFORE}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: points_pointentry period approved and locked'); END""",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)  # its RAISE has % placeholders of its own
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS points_entry_period_open ON points_pointentry")
        schema_editor.execute("DROP FUNCTION IF EXISTS points_entry_period_open()")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS points_entry_period_insert")
        schema_editor.execute("DROP TRIGGER IF EXISTS points_entry_period_update")


def create_on_sqlite(apps, schema_editor):
    """Again on SQLite, where a rebuilt table (a column added) has lost them."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS points_entry_period_insert")
        schema_editor.execute("DROP TRIGGER IF EXISTS points_entry_period_update")
        for statement in SQLITE:
            schema_editor.execute(statement)
