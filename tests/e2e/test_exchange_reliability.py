"""2 000 packages cross the hub while the hub is killed (SIGKILL) and restarted twice and one receiver is
stopped for a while: every package arrives exactly once, every status 01 comes back, no outbox is left."""

import threading
import time

import pytest

from tests.e2e.installations import B_PROVINCE, VPCP, sql, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("installations")]

PER_SIDE = 1000

# Run inside an installation (congvan shell): N issued documents to one remote agency, queued in the
# outbox exactly as outgoing.issue() queues them, written in bulk so the test spends its time on transport.
ENQUEUE = """
from django.db import transaction
from django.utils import timezone
from congvan.directory.models import Agency, Person
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, DocumentType
from congvan.exchange.models import OutboxMessage
from congvan.workflow.models import Channel, Delivery
from tests.conftest import make_pdf

clerk = Person.objects.get(user__username="vanthu.{slug}")
to = Agency.objects.get(code="{to}")
blob = storage.store_bytes(make_pdf("Kiểm thử độ tin cậy liên thông"))
kind = DocumentType.objects.get(agency__isnull=True, code="CV")
now = timezone.now()
with transaction.atomic():
    docs = Document.objects.bulk_create([Document(
        agency=clerk.agency, doc_type=kind, subject=f"Gói thử {{i}} từ {slug}", state="issued", created_by=clerk,
        issued_by=clerk, issued_at=now, notation=f"{{i}}/TEST-{node}", number=i,
        exchange_id=f"{{clerk.agency.code}},{{now:%Y/%m/%d}},{{i}}/TEST-{node}") for i in range(1, {n} + 1)])
    DocumentFile.objects.bulk_create([DocumentFile(document=d, blob=blob, name="goi-thu.pdf",
                                                   content_type="application/pdf") for d in docs])
    Delivery.objects.bulk_create([Delivery(document=d, recipient=to, channel=Channel.EXCHANGE) for d in docs])
    OutboxMessage.objects.bulk_create([OutboxMessage(
        message_type="edoc", document=d, from_code=clerk.agency.code, to_codes=[to.code], at=now,
        next_attempt_at=now) for d in docs])
print(len(docs))
"""


def enqueue(inst, slug: str, to: str) -> None:
    code = ENQUEUE.format(slug=slug, to=to, node=inst.node, n=PER_SIDE)
    assert inst.cli("shell", "--no-imports", "-c", code).strip() == str(PER_SIDE)


def received(inst, sender: str) -> tuple[int, int]:
    [(items, documents)] = sql(inst, """
        SELECT count(*), count(DISTINCT i.document_id) FROM workflow_incomingitem i
        JOIN documents_document d ON d.id = i.document_id JOIN directory_agency a ON a.id = d.agency_id
        WHERE a.code = ? AND d.notation LIKE '%/TEST-%'""", sender)
    return items, documents


def acknowledged(inst) -> int:
    [(count,)] = sql(inst, """
        SELECT count(*) FROM workflow_delivery v JOIN documents_document d ON d.id = v.document_id
        JOIN directory_agency a ON a.id = d.agency_id
        WHERE a.is_local AND d.notation LIKE '%/TEST-%' AND v.status = '01' AND v.channel = 'exchange'""")
    return count


def left_in_outbox(inst) -> int:
    return sql(inst, "SELECT count(*) FROM exchange_outboxmessage WHERE state != 'sent'")[0][0]


def test_nothing_lost_nothing_doubled_when_the_hub_dies(three_installations):
    hub, nghean, vpcp = three_installations
    enqueue(nghean, "ubndtinh", VPCP)
    enqueue(vpcp, "vpcp", B_PROVINCE)

    def chaos():
        time.sleep(2)
        hub.kill_web()  # SIGKILL: no chance to finish what it was doing
        vpcp.kill_worker()  # the receiver stops for a while
        time.sleep(3)
        hub.start_web()
        time.sleep(5)
        hub.kill_web()
        time.sleep(3)
        hub.start_web()
        time.sleep(6)
        vpcp.start_worker()

    trouble = threading.Thread(target=chaos)
    trouble.start()
    try:
        def finished():
            return (received(nghean, VPCP)[0] == PER_SIDE and received(vpcp, B_PROVINCE)[0] == PER_SIDE
                    and acknowledged(nghean) == PER_SIDE and acknowledged(vpcp) == PER_SIDE
                    and not left_in_outbox(nghean) and not left_in_outbox(vpcp))

        wait_for("2 000 packages and their statuses", lambda: not trouble.is_alive() and finished(),
                 timeout=900, interval=2,
                 on_timeout=lambda: (f"nghean got {received(nghean, VPCP)}, vpcp got {received(vpcp, B_PROVINCE)}; "
                                     f"01 back: {acknowledged(nghean)}/{acknowledged(vpcp)}; outbox left "
                                     f"{left_in_outbox(nghean)}/{left_in_outbox(vpcp)}\n" + vpcp.log("worker.log")))
    finally:
        trouble.join()
    assert received(nghean, VPCP) == (PER_SIDE, PER_SIDE)  # exactly once
    assert received(vpcp, B_PROVINCE) == (PER_SIDE, PER_SIDE)
    assert acknowledged(nghean) == acknowledged(vpcp) == PER_SIDE  # every status 01 came back
    assert sql(hub, "SELECT count(*) FROM exchange_hubmessage WHERE state = 'pending'") == [(0,)]
    assert sql(hub, "SELECT count(*) FROM exchange_hubmessage WHERE state IN ('failed', 'dead')") == [(0,)]
