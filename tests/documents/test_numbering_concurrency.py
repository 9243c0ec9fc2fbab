"""Numbers under concurrent issuing: gap-free, unique, and given back when an issuance fails.

Runs on SQLite (default run: a file database in WAL mode, IMMEDIATE transactions) and, marked
``postgres``, again on PostgreSQL (row locks) in `make test`."""

import io
import threading

import pytest
from django.db import connection

from congvan.audit.services import verify
from congvan.documents.models import Direction, Document, Register
from congvan.workflow import outgoing
from tests.conftest import make_pdf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ISSUERS = 20
SENDER = "ubndtinh"


def approved_documents(person, count: int, subject: str = "Về việc tăng cường sử dụng văn bản điện tử"):
    """``count`` approved electronic documents of one agency, each with its main PDF, through the services."""
    from congvan.documents import services as documents

    officer, leader = person(f"chuyenvien.{SENDER}"), person(f"lanhdao.{SENDER}")
    pdf = make_pdf()
    docs = []
    for n in range(count):
        doc = documents.create_draft(officer, doc_type="CV", recipients=["000.05.00.H21"],
                                     subject=f"{subject} (lần {n + 1})")
        documents.add_file(officer, doc, "cong-van.pdf", io.BytesIO(pdf))
        outgoing.submit(officer, doc)
        docs.append(outgoing.approve(leader, doc))
    return docs


def test_database_is_shared_by_threads():
    """Threads only see the test database if it is a file (or a server), never SQLite's :memory:."""
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def test_concurrent_issuers_get_gap_free_unique_numbers(person):
    docs = approved_documents(person, ISSUERS)
    clerk_pk = person(f"vanthu.{SENDER}").pk
    start = threading.Barrier(ISSUERS)
    errors: list[BaseException] = []

    def issuer(document: Document) -> None:
        from congvan.directory.models import Person

        try:
            clerk = Person.objects.select_related("agency", "user").get(pk=clerk_pk)  # own thread, own connection
            start.wait(timeout=30)
            outgoing.issue(clerk, document)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issuer, args=(doc,), name=f"issuer-{i}") for i, doc in enumerate(docs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an issuer is stuck (lock never released?)"
    assert errors == []

    issued = list(Document.objects.filter(pk__in=[d.pk for d in docs]))
    numbers = sorted(d.number for d in issued)
    assert numbers == list(range(1, ISSUERS + 1))
    notations = [d.notation for d in issued]
    assert len(set(notations)) == ISSUERS
    assert set(notations) == {issued[0].build_notation(n) for n in range(1, ISSUERS + 1)}
    assert {d.state for d in issued} == {Document.State.ISSUED}
    registers = Register.objects.filter(agency__slug=SENDER, direction=Direction.OUTGOING, is_secret=False)
    assert registers.count() == 1, "concurrent issuers created the register twice"
    assert registers.get().last_number == ISSUERS
    assert len({d.register_id for d in issued}) == 1
    audit = verify()
    assert audit.ok, audit.problems


def test_failed_issuance_gives_its_number_back(person, monkeypatch):
    first, second, third = approved_documents(person, 3)
    clerk = person(f"vanthu.{SENDER}")
    first = outgoing.issue(clerk, first)
    assert first.number == 1

    def broken_delivery(*args, **kwargs):
        raise RuntimeError("đường truyền hỏng sau khi đã cấp số")

    with monkeypatch.context() as patch:
        patch.setattr(outgoing, "create_delivery", broken_delivery)
        with pytest.raises(RuntimeError):
            outgoing.issue(clerk, second)

    second.refresh_from_db()
    assert second.state == Document.State.APPROVED and second.number is None and not second.notation
    assert Register.objects.get(pk=first.register_id).last_number == 1
    assert not second.deliveries.exists()

    assert outgoing.issue(clerk, second).number == 2
    assert outgoing.issue(clerk, third).number == 3
    assert verify().ok
