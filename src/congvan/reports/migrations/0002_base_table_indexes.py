"""Indexes the daily summary needs on other apps' tables: the moments it reads by day.

They live here, with their only user, as plain SQL (the same statement on SQLite and PostgreSQL); the
workflow models are not changed. Without them, computing one day reads every delivery and incoming item."""

from django.db import migrations

INDEXES = [
    ("reports_delivery_created", "workflow_delivery", "created_at"),
    ("reports_incoming_completed", "workflow_incomingitem", "completed_at"),
    ("reports_incoming_registered", "workflow_incomingitem", "registered_at"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("workflow", "0003_dashboard_indexes"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
                          f"DROP INDEX IF EXISTS {name}")
        for name, table, column in INDEXES
    ]
