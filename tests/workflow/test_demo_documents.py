"""The demo documents of a first `make run`: issued through the real services, signed, and taken as far as
each story says by the recipients — so the pages have something true to show. Loaded once."""

import io

import pytest
from django.core.management import call_command

from congvan.documents.models import Document, Form
from congvan.search.service import search
from congvan.workflow.demo import STORIES
from congvan.workflow.models import Channel, Delivery, IncomingItem


@pytest.mark.django_db
def test_the_first_start_issues_signed_documents_that_the_recipients_process(person, client_of):
    out = io.StringIO()
    call_command("demo", "--documents", stdout=out)
    assert f"Đã thêm {len(STORIES)} văn bản mẫu" in out.getvalue()

    issued = Document.objects.filter(state="issued")
    assert issued.count() == len(STORIES) and all(d.notation for d in issued)
    assert issued.filter(form=Form.ELECTRONIC).count() == len(STORIES) - 1  # signed by the leader, sealed
    assert not Delivery.objects.exclude(channel__in=[Channel.INTERNAL, Channel.PAPER]).exists()  # nothing leaves

    directive = issued.get(subject__startswith="Về việc tăng cường sử dụng văn bản điện tử")
    states = dict(IncomingItem.objects.filter(delivery__document=directive).values_list("agency__slug", "state"))
    assert states == {"sokhcn": "done", "sonoivu": "in_progress", "pleiku": "assigned", "ducco": "arrived"}

    clerk = person("vanthu.ducco")
    assert [hit.document for hit in search(clerk, "van ban dien tu").hits] == [directive]
    page = client_of("vanthu.ducco").get("/van-ban-den/").content.decode()
    assert "tăng cường sử dụng văn bản điện tử" in page

    call_command("demo", "--documents", stdout=io.StringIO())  # the next start adds nothing
    assert Document.objects.count() == len(STORIES)
