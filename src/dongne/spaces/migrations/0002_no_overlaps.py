"""No double booking and no overlapping leases, enforced by the database.

PostgreSQL: the btree_gist extension (BtreeGistExtension, a no-op elsewhere) and two exclusion constraints (Django's ExclusionConstraint):
  bookings — (facility =, tstzrange(start, end, '[)') &&) among confirmed bookings;
  leases   — (unit =, daterange(starts_on, ends_on, '[]') &&) among leases that are not cancelled.
SQLite: BEFORE INSERT / BEFORE UPDATE triggers that RAISE(ABORT) when the new row overlaps another one. With
``transaction_mode: IMMEDIATE`` every writer holds the database write lock from BEGIN, so the trigger's check and
the insert are one indivisible step (two bookings for the same slot cannot both pass).

Both raise IntegrityError; the services turn it into a Korean message. The constraints live in this migration
rather than in Model.Meta because the same migrations run on SQLite, which has no exclusion constraints.
(A later migration that makes SQLite rebuild spaces_booking or spaces_lease must recreate the triggers.)"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class BtreeGistOnPostgres(BtreeGistExtension):
    """BtreeGistExtension() for PostgreSQL only. Its forwards step already skips other vendors; going backwards
    Django's operation would query pg_extension even on SQLite, and dropping the extension could break other
    tables that use it, so backwards leaves it installed."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return


BOOKING_OVERLAP = """
    NEW.status = 'confirmed' AND EXISTS (
        SELECT 1 FROM spaces_booking b
        WHERE b.facility_id = NEW.facility_id AND b.status = 'confirmed' AND b.id IS NOT NEW.id
          AND b."start" < NEW."end" AND b."end" > NEW."start")
"""
LEASE_OVERLAP = """
    NEW.status <> 'cancelled' AND EXISTS (
        SELECT 1 FROM spaces_lease l
        WHERE l.unit_id = NEW.unit_id AND l.status <> 'cancelled' AND l.id IS NOT NEW.id
          AND l.starts_on <= NEW.ends_on AND l.ends_on >= NEW.starts_on)
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER spaces_booking_no_overlap_insert BEFORE INSERT ON spaces_booking
        WHEN {BOOKING_OVERLAP} BEGIN SELECT RAISE(ABORT, 'spaces_booking_no_overlap'); END""",
    f"""CREATE TRIGGER spaces_booking_no_overlap_update BEFORE UPDATE ON spaces_booking
        WHEN {BOOKING_OVERLAP} BEGIN SELECT RAISE(ABORT, 'spaces_booking_no_overlap'); END""",
    f"""CREATE TRIGGER spaces_lease_no_overlap_insert BEFORE INSERT ON spaces_lease
        WHEN {LEASE_OVERLAP} BEGIN SELECT RAISE(ABORT, 'spaces_lease_no_overlap'); END""",
    f"""CREATE TRIGGER spaces_lease_no_overlap_update BEFORE UPDATE ON spaces_lease
        WHEN {LEASE_OVERLAP} BEGIN SELECT RAISE(ABORT, 'spaces_lease_no_overlap'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS spaces_booking_no_overlap_insert",
    "DROP TRIGGER IF EXISTS spaces_booking_no_overlap_update",
    "DROP TRIGGER IF EXISTS spaces_lease_no_overlap_insert",
    "DROP TRIGGER IF EXISTS spaces_lease_no_overlap_update",
]


def _postgres_constraints():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField, RangeOperators
    from django.db.models import F, Func, Q, Value

    bookings = ExclusionConstraint(
        name="spaces_booking_no_overlap",
        expressions=[
            ("facility", RangeOperators.EQUAL),
            (
                Func(
                    F("start"), F("end"), Value("[)"), function="TSTZRANGE", output_field=DateTimeRangeField()
                ),
                RangeOperators.OVERLAPS,
            ),
        ],
        condition=Q(status="confirmed"),
    )
    leases = ExclusionConstraint(
        name="spaces_lease_no_overlap",
        expressions=[
            ("unit", RangeOperators.EQUAL),
            (
                Func(
                    F("starts_on"),
                    F("ends_on"),
                    Value("[]"),
                    function="DATERANGE",
                    output_field=DateRangeField(),
                ),
                RangeOperators.OVERLAPS,
            ),
        ],
        condition=~Q(status="cancelled"),
    )
    return [("Booking", bookings), ("Lease", leases)]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for model_name, constraint in _postgres_constraints():
            schema_editor.add_constraint(apps.get_model("spaces", model_name), constraint)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for model_name, constraint in _postgres_constraints():
            schema_editor.remove_constraint(apps.get_model("spaces", model_name), constraint)


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [
        BtreeGistOnPostgres(),
        migrations.RunPython(forwards, backwards),
    ]
