"""The audit chain: every state change is recorded, and tampering is detected by `congvan audit verify`."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from congvan.audit.models import AuditEntry
from congvan.audit.services import verify


def test_flow_writes_a_verifiable_chain(issue_document, capsys):
    issue_document()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for expected in ["document.create", "document.add_file", "document.submit", "document.approve",
                     "document.issue", "incoming.arrive"]:
        assert expected in actions
    assert verify().ok
    call_command("audit", "verify")
    assert "Nhật ký toàn vẹn" in capsys.readouterr().out


def test_tampered_row_is_detected(issue_document):
    issue_document()
    entry = AuditEntry.objects.get(action="document.issue")
    with connection.cursor() as cursor:  # what someone with database access could do
        cursor.execute("UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["ke_gian", entry.pk])
    result = verify()
    assert not result.ok
    assert any(f"#{entry.seq}" in p for p in result.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_deleted_rows_are_detected(issue_document):
    issue_document()
    last = AuditEntry.objects.order_by("-seq").first()
    middle = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [middle.pk])
    assert not verify().ok
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq >= %s", [middle.seq])
    assert last.seq > middle.seq
    problems = verify().problems
    assert any("đã bị xóa" in p for p in problems)


def test_entries_cannot_be_changed_through_the_orm(issue_document):
    issue_document()
    entry = AuditEntry.objects.first()
    entry.actor = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
