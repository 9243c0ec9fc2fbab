"""Migrations: every project app migrates back to zero and forward again, and none is missing.

Marked ``postgres``: `make test` runs it on SQLite and on PostgreSQL (extensions, constraints and
data migrations behave differently on the two)."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.postgres


def project_apps() -> list[str]:
    return [config.label for config in apps.get_app_configs()
            if config.name.startswith("congvan.") and config.models_module is not None]


def project_tables() -> set[str]:
    tables = set(connection.introspection.table_names())
    return {model._meta.db_table for label in project_apps() for model in apps.get_app_config(label).get_models()
            if not model._meta.proxy and model._meta.managed} & tables


def test_there_are_project_apps_with_migrations():
    assert {"audit", "directory", "documents", "workflow"} <= set(project_apps())


@pytest.mark.django_db(transaction=True)
def test_migrate_to_zero_and_forward_again():
    from congvan.documents.models import DocumentType

    assert project_tables()
    # Unapplying an app unapplies what depends on it in other apps too; go through all of them.
    for label in reversed(project_apps()):
        call_command("migrate", label, "zero", interactive=False, verbosity=0)
    assert project_tables() == set()
    applied = MigrationExecutor(connection).loader.applied_migrations
    assert not {key for key in applied if key[0] in project_apps()}

    call_command("migrate", interactive=False, verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert {m._meta.db_table for label in project_apps() for m in apps.get_app_config(label).get_models()
            if m._meta.managed and not m._meta.proxy} <= set(connection.introspection.table_names())
    assert DocumentType.objects.filter(agency=None, code="CV").exists()  # the data migration ran again


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", *project_apps(), check=True, dry_run=True, stdout=out, verbosity=1)
    except SystemExit:  # --check exits 1 when a model change has no migration
        pytest.fail(f"missing migrations (run `congvan makemigrations`):\n{out.getvalue()}")
