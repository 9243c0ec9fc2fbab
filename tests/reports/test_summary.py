"""The daily summary stays right when documents change: the days a change touches are marked, the
worker computes them again, and the result equals a rebuild from scratch."""

import io
import threading
from datetime import date, timedelta

import pytest
from django.utils import timezone

from congvan.documents.models import DocumentFile, FileOrigin
from congvan.reports import data, periods, selectors, summary
from congvan.reports.models import DailyCount, DirtyDay, MonthlyCount
from congvan.workflow.models import IncomingItem
from tests.reports.history import YEAR, at, build_history
from tests.signing import flow_helpers

pytestmark = pytest.mark.postgres
fast_demo_pki, signing_demo = flow_helpers.fast_demo_pki, flow_helpers.signing_demo  # fixtures



def snapshot() -> tuple[set, set]:
    daily = set(DailyCount.objects.values_list("day", "scope", "measure", "dim", "value"))
    monthly = set(MonthlyCount.objects.values_list("month", "scope", "measure", "dim", "value"))
    return daily, monthly


def province_year() -> dict:
    report = data.build(selectors.province_scope(), periods.year(YEAR))
    return {row.key: row.result.value for row in report.rows} | {"_totals": report.totals}


def test_changes_mark_their_days_and_the_refresh_equals_a_rebuild(history):
    docs, items = history
    assert not summary.pending()
    # The lead of D1 at Đức Cơ finishes on 03/02, after the due date (31/01): from overdue to late.
    item = items[("D1", "DC")]
    item.state, item.completed_at = IncomingItem.State.DONE, at(2, 3, 15)
    item.save()
    # D8's due date moves from 14/02 to 13/02: it was completed on the 14th, so it becomes late.
    moved = items[("D8", "V")]
    moved.due_date = date(YEAR, 2, 13)
    moved.save(update_fields=["due_date"])
    # The classifier finds D7's main file is a scan of images.
    file = DocumentFile.objects.get(document=docs["D7"])
    file.origin = FileOrigin.SCANNED_IMAGE
    file.save(update_fields=["origin"])
    marked = set(DirtyDay.objects.values_list("day", flat=True))
    assert {date(YEAR, 1, 31), date(YEAR, 2, 3), date(YEAR, 2, 13), date(YEAR, 2, 14), date(YEAR, 2, 10)} <= marked

    stale = province_year()
    assert stale["overdue_count"] == 3 and stale["scanned_share"] == 60.0  # not computed yet
    assert summary.refresh() == len(marked)
    assert not summary.pending()
    fresh = province_year()
    assert fresh["incoming_on_time_share"] == 20.0  # only D1→N on time of 5
    assert fresh["overdue_count"] == 4  # D1→K, D10→P, D1→DC and D8→V late, none open
    assert fresh["_totals"].get("due", "overdue") == 0
    assert fresh["processing_median"] == 3.0  # 0 1 2 3 10 10 20 working days
    assert fresh["scanned_share"] == 66.67  # D2 D6 D7 D8 of 6 classified

    incremental = snapshot()
    summary.rebuild()
    assert snapshot() == incremental


def test_a_document_issued_through_the_services_is_counted(demo, person, issue_document):
    summary.rebuild()
    doc = issue_document(sender="sonoivu", recipients=("000.00.00.H21", "000.63.00.H21"))
    item = IncomingItem.objects.get(document=doc, agency__code="000.00.00.H21")
    from congvan.workflow import incoming

    incoming.register(person("vanthu.ubndtinh"), item)
    assert summary.pending()
    summary.refresh()
    today = timezone.localdate()
    report = data.build(selectors.scope_from_key("agency:000.05.00.H21"), periods.custom(today, today))
    t = report.totals
    assert t.get("issued", doc.form) == 1 and t.get("sent", "internal") == 2
    assert t.get("rel_submission") == 1 and t.get("rel_commune") == 1 and t.get("rel_between") == 1
    assert report.row_by_key["adoption_share"].result.value == 100.0
    province = data.build(selectors.province_scope(), periods.custom(today, today))
    assert province.totals.get("received", "internal") == 2
    assert len(province.active_ids) == 2  # Sở Nội vụ issued, UBND tỉnh registered
    incremental = snapshot()
    summary.rebuild()
    assert snapshot() == incremental


def test_a_mark_added_while_computing_is_kept(history, monkeypatch):
    docs, _items = history
    docs["D9"].save()  # marks 01/04
    real = summary.compute_days
    calls = []

    def compute_and_meanwhile_change(start, end, ctx=None):
        result = real(start, end, ctx)
        if not calls:  # a change committed by someone else while the worker computed
            summary.mark_dirty([date(YEAR, 4, 1)])
        calls.append((start, end))
        return result

    monkeypatch.setattr(summary, "compute_days", compute_and_meanwhile_change)
    assert summary.refresh() == 1
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [date(YEAR, 4, 1)]  # kept for the next round
    assert summary.refresh() == 1 and not summary.pending()


def test_open_items_become_overdue_when_their_day_passes(demo, person):
    docs, items = build_history()
    summary.rebuild()
    item = items[("D10", "P")]
    item.state, item.completed_at, item.due_date = IncomingItem.State.ASSIGNED, None, date(YEAR, 6, 10)
    item.save()
    summary.refresh(today=date(YEAR, 6, 10))
    june = periods.month(YEAR, 6)
    scope = selectors.province_scope()
    assert data.build(scope, june).totals.get("due", "pending") == 1  # due today: not late yet
    summary.daily(date(YEAR, 6, 10))  # the worker's first run of the day: remembers the date
    assert summary.daily(date(YEAR, 6, 11)) >= 1  # next day: 10/06 computed again
    assert data.build(scope, june).totals.get("due", "overdue") == 1


class Rounds(threading.Event):
    """A stop event for schedule_daily that lets it run a given number of rounds (in this thread), calling
    ``between`` after each one instead of sleeping."""

    def __init__(self, rounds: int, between):
        super().__init__()
        self.left, self.between = rounds, between

    def wait(self, timeout=None):
        self.left -= 1
        if self.left <= 0:
            self.set()
        else:
            self.between()
        return self.is_set()


def test_the_worker_scheduler_refreshes_the_summary(history, monkeypatch):
    """schedule_daily (congvan worker): the first round of a day runs the daily work, later rounds queue
    the refresh when days are dirty (the tests' task backend runs a task at once)."""
    from congvan.reports import tasks
    from congvan.workflow.management.commands import worker

    docs, items = history
    docs["D3"].save()
    december = []
    monkeypatch.setattr(tasks.services, "december_due", lambda today: december.append(today) or [])

    def change():  # between two rounds, someone finishes D1 at Đức Cơ
        assert not summary.pending()
        item = items[("D1", "DC")]
        item.state, item.completed_at = IncomingItem.State.DONE, at(2, 3, 15)
        item.save()
        assert summary.pending()

    worker.schedule_daily(Rounds(2, change), interval=0)
    assert not summary.pending() and december == [timezone.localdate()]
    assert province_year()["_totals"].get("due", "overdue") == 0


def test_rebuild_command_and_empty_database(demo):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("report", "rebuild", stdout=out)
    assert "0 dòng" in out.getvalue()
    build_history()
    call_command("report", "rebuild", stdout=out)
    assert DailyCount.objects.filter(day=date(YEAR, 1, 6), measure="issued").exists()
    assert MonthlyCount.objects.filter(month=date(YEAR, 1, 1), measure="issued").exists()
    assert summary.first_day() == date(YEAR, 1, 6)
    assert summary.last_day() >= timezone.localdate() - timedelta(days=0)


def test_an_agency_moving_to_another_group_recomputes_everything(history):
    from congvan.directory.models import Agency

    quy_nhon = Agency.objects.get(code="000.62.00.H21")
    quy_nhon.phone = "0256 3 822 000"
    quy_nhon.save()
    assert not summary.pending()  # nothing that counts changed
    quy_nhon.level = Agency.Level.DEPARTMENT  # say it was recorded at the wrong level
    quy_nhon.save()
    assert summary.pending()
    summary.refresh()
    communes = data.build(selectors.group_scope("commune"), periods.year(YEAR))
    assert communes.totals.get("issued") == 1  # D5 of Đức Cơ only; D8 of Quy Nhơn left the group
    assert {r.agency.code for r in communes.ranking} == {"000.61.00.H21", "000.63.00.H21"}
    assert data.build(selectors.province_scope(), periods.year(YEAR)).totals.get("rel_commune") == 3  # not D8


def test_a_signed_electronic_original_counts_as_fully_electronic(signing_demo, person):
    """Through the real services with the demo PKI: the leader signs at approval, the clerk seals at issue,
    the form becomes electronic — and the summary, refreshed as the worker does, counts it so."""
    from congvan.workflow import outgoing
    from tests.signing.flow_helpers import PASSPHRASE, submitted

    summary.rebuild()
    doc = submitted(person, sender="sonoivu", recipients=("000.00.00.H21",))
    outgoing.approve(person("lanhdao.sonoivu"), doc, passphrase=PASSPHRASE)
    issued = outgoing.issue(person("vanthu.sonoivu"), doc, passphrase=PASSPHRASE)
    assert issued.form == "electronic"
    summary.refresh()
    today = timezone.localdate()
    report = data.build(selectors.scope_from_key("agency:000.05.00.H21"), periods.custom(today, today))
    assert report.totals.get("issued", "electronic") == 1 and report.totals.get("rel_submission", "electronic") == 1
    rows = report.row_by_key
    assert rows["electronic_share"].result.value == 100.0 and rows["issue_on_time_share"].result.value == 100.0
    assert rows["saved_pages"].result.value == 2.0  # one delivery, no page count: the default 2 pages


def test_a_scan_classified_on_upload_and_a_mail_to_a_citizen_are_counted(demo, person, issue_document):
    """The classifier's verdict reaches the summary, and a document sent by e-mail to someone outside the
    directory counts with the public (citizens and businesses), not as a delivery to an agency."""
    import img2pdf
    from PIL import Image

    summary.rebuild()
    scan = io.BytesIO()
    Image.new("L", (600, 800), 255).save(scan, format="PNG")
    scanned_pdf = img2pdf.convert(scan.getvalue())
    doc = issue_document(sender="sonoivu", recipients=("000.00.00.H21",),
                         contacts=["Công ty TNHH Minh Phát <vanthu@minhphat.example>"], pdf=scanned_pdf)
    assert DocumentFile.objects.filter(document=doc, origin__in=["scanned_image", "scanned_text"]).exists()
    summary.refresh()
    today = timezone.localdate()
    report = data.build(selectors.scope_from_key("agency:000.05.00.H21"), periods.custom(today, today))
    t = report.totals
    assert t.get("sent", "email") == 1 and t.get("sent", "internal") == 1
    assert t.get("rel_public") == 1 and t.get("rel_between") == 1
    assert report.row_by_key["scanned_share"].result.value == 100.0
    province = data.build(selectors.province_scope(), periods.custom(today, today))
    assert province.totals.get("received", "email") == 0  # the citizen is no agency of the province
    incremental = snapshot()
    summary.rebuild()
    assert snapshot() == incremental
