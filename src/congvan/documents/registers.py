"""Sổ đăng ký văn bản đi / đến as Decree 30/2020/NĐ-CP Appendix IV prints them: rows and the .xlsx export.

Rows are scoped to the acting person: their own agency only; secret registers only for leaders and
clerks; incoming rows only those the person may open (officers see what was handed to them).
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.directory.models import Person, Role
from congvan.documents.models import Direction, Document, Register

SECRET_REGISTER_ROLES = {Role.LEADER, Role.CLERK}
DIRECTIONS = {"di": Direction.OUTGOING, "den": Direction.INCOMING}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # characters, for the spreadsheet
    kind: str = "text"  # text | date | int


def outgoing_columns() -> list[Column]:
    return [
        Column("notation", _("Số, ký hiệu văn bản"), 16),
        Column("date", _("Ngày tháng văn bản"), 12, "date"),
        Column("subject", _("Tên loại và trích yếu nội dung văn bản"), 48),
        Column("signer", _("Người ký"), 22),
        Column("recipients", _("Nơi nhận văn bản"), 36),
        Column("keeper", _("Đơn vị, người nhận bản lưu"), 24),
        Column("copies", _("Số lượng bản"), 9, "int"),
        Column("sent", _("Ngày chuyển"), 12, "date"),
        Column("signed", _("Ký nhận"), 14),
        Column("note", _("Ghi chú"), 24),
    ]


def incoming_columns() -> list[Column]:
    return [
        Column("arrived", _("Ngày đến"), 12, "date"),
        Column("number", _("Số đến"), 8, "int"),
        Column("author", _("Tác giả"), 30),
        Column("notation", _("Số, ký hiệu"), 16),
        Column("date", _("Ngày tháng văn bản"), 12, "date"),
        Column("subject", _("Tên loại và trích yếu nội dung"), 48),
        Column("receiver", _("Đơn vị hoặc người nhận"), 26),
        Column("sent", _("Ngày chuyển"), 12, "date"),
        Column("signed", _("Ký nhận"), 18),
        Column("note", _("Ghi chú"), 24),
    ]


@dataclass
class Book:
    """One register page: the agency, the year, the registers shown and their rows (dicts keyed by column)."""

    agency: object
    direction: str
    year: int
    registers: list[Register]
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    @cached_property
    def grouped(self) -> bool:
        """Several registers have entries: each gets its own heading row (secret ones are kept apart)."""
        return len({row["register"] for row in self.rows}) > 1

    @property
    def title(self) -> str:
        if self.direction == Direction.OUTGOING:
            return _("SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM %(year)s") % {"year": self.year}
        return _("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN — NĂM %(year)s") % {"year": self.year}


def may_see_secret(person: Person, roles: set[str] | None = None) -> bool:
    roles = person.roles() if roles is None else roles
    return bool(roles & SECRET_REGISTER_ROLES)


def visible_registers(person: Person, direction: str, year: int | None = None, roles: set[str] | None = None):
    """Registers of the person's agency they may open (secret ones only for leaders and clerks)."""
    qs = Register.objects.filter(agency_id=person.agency_id, direction=direction)
    if year is not None:
        qs = qs.filter(year=year)
    if not may_see_secret(person, roles):
        qs = qs.filter(is_secret=False)
    return qs.order_by("is_secret", "name")


def years(person: Person, direction: str) -> list[int]:
    found = set(Register.objects.filter(agency_id=person.agency_id, direction=direction)
                .values_list("year", flat=True))
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def _type_and_subject(document: Document) -> str:
    return f"{document.doc_type.name}: {document.subject}"


def _outgoing_rows(person: Person, registers: list[Register], start: date | None, end: date | None,
                   roles: set[str]) -> list[dict]:
    from congvan.workflow import access
    from congvan.workflow.models import Channel, Delivery

    qs = (Document.objects.filter(access.outgoing_filter(person, roles), state=Document.State.ISSUED,
                                  register__in=registers)
          .select_related("doc_type", "drafting_unit", "created_by", "register")
          .prefetch_related("recipients", "contacts",
                            Prefetch("deliveries", queryset=Delivery.objects.order_by("created_at", "id")))
          .order_by("register__is_secret", "register__name", "number"))
    if start:
        qs = qs.filter(issued_at__date__gte=start)
    if end:
        qs = qs.filter(issued_at__date__lte=end)
    rows = []
    for doc in qs:
        recipients = [a.name for a in doc.recipients.all()] + [c.name for c in doc.contacts.all()]
        if doc.recipients_note:
            recipients.append(doc.recipients_note)
        deliveries = list(doc.deliveries.all())
        electronic = [d for d in deliveries if d.channel != Channel.PAPER]
        notes = []
        if doc.is_secret:
            notes.append(doc.get_secrecy_display())
        if doc.urgency != "none":
            notes.append(doc.get_urgency_display())
        if doc.revocation_reason:
            notes.append(_("Đã đề nghị thu hồi: %(reason)s") % {"reason": doc.revocation_reason})
        keeper = doc.drafting_unit.name if doc.drafting_unit else ""
        rows.append({
            "pk": doc.pk,
            "register": doc.register.name,
            "notation": doc.notation,
            "date": _local_date(doc.issued_at),
            "subject": _type_and_subject(doc),
            "signer": doc.signer_name,
            "recipients": "; ".join(recipients),
            "keeper": f"{keeper}, {doc.created_by.full_name}" if keeper else doc.created_by.full_name,
            "copies": doc.copies,
            "sent": _local_date(deliveries[0].created_at) if deliveries else None,
            "signed": _("Gửi điện tử") if electronic and len(electronic) == len(deliveries) else "",
            "note": "; ".join(notes),
        })
    return rows


def _incoming_rows(person: Person, registers: list[Register], start: date | None, end: date | None,
                   roles: set[str]) -> list[dict]:
    from congvan.workflow import access
    from congvan.workflow.models import Distribution

    qs = (access.visible_items(person, roles).filter(register__in=registers)
          .select_related("document__agency", "document__doc_type", "register")
          .prefetch_related(Prefetch("distributions",
                                     queryset=Distribution.objects.select_related("person__unit")
                                     .order_by("at", "id")))
          .order_by("register__is_secret", "register__name", "arrival_number"))
    if start:
        qs = qs.filter(arrived_at__date__gte=start)
    if end:
        qs = qs.filter(arrived_at__date__lte=end)
    rows = []
    for item in qs:
        doc = item.document
        handed = [d for d in item.distributions.all() if d.role == Distribution.Role.LEAD and d.active] or \
            [d for d in item.distributions.all() if d.active]
        first = handed[0] if handed else None
        receiver = ""
        if first:
            unit = first.person.unit.name if first.person.unit else ""
            receiver = f"{unit}, {first.person.full_name}" if unit else first.person.full_name
        notes = []
        if doc.urgency != "none":
            notes.append(doc.get_urgency_display())
        if item.state == item.State.REVOKED:
            notes.append(_("Đã thu hồi"))
        elif item.state == item.State.DONE:
            notes.append(_("Hoàn thành"))
        if item.due_date:
            notes.append(_("Hạn xử lý %(day)s") % {"day": item.due_date.strftime("%d/%m/%Y")})
        rows.append({
            "pk": item.pk,
            "register": item.register.name,
            "arrived": _local_date(item.arrived_at),
            "number": item.arrival_number,
            "author": doc.agency.name,
            "notation": doc.notation,
            "date": _local_date(doc.issued_at),
            "subject": _type_and_subject(doc),
            "receiver": receiver,
            "sent": _local_date(first.at) if first else None,
            "signed": (_("Đã nhận %(at)s") % {"at": timezone.localtime(first.opened_at).strftime("%d/%m/%Y %H:%M")}
                       if first and first.opened_at else ""),
            "note": "; ".join(notes),
        })
    return rows


def build(person: Person, direction: str, year: int, *, register: Register | None = None,
          start: date | None = None, end: date | None = None) -> Book:
    """The register page for ``year``: one register if given (it must be visible), else all visible ones."""
    roles = person.roles()
    registers = list(visible_registers(person, direction, year, roles))
    if register is not None:
        registers = [r for r in registers if r.pk == register.pk]
    if direction == Direction.OUTGOING:
        book = Book(person.agency, direction, year, registers, outgoing_columns())
        book.rows = _outgoing_rows(person, registers, start, end, roles) if registers else []
    else:
        book = Book(person.agency, direction, year, registers, incoming_columns())
        book.rows = _incoming_rows(person, registers, start, end, roles) if registers else []
    return book


def get_register(person: Person, direction: str, pk) -> Register | None:
    """A visible register by id, or None (an id the person may not see is treated as absent)."""
    if pk in (None, ""):
        return None
    try:
        return visible_registers(person, direction).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def to_xlsx(book: Book) -> bytes:
    """One sheet: the Appendix IV header row (bold, wrapped, widths set), then one row per entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = (_("Sổ đi") if book.direction == Direction.OUTGOING else _("Sổ đến")) + f" {book.year}"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([c.title for c in book.columns])
    for index, column in enumerate(book.columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[1].height = 45
    current = None
    for row in book.rows:
        if book.grouped and row["register"] != current:
            current = row["register"]
            ws.append([current])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(book.columns))
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, italic=True)
        ws.append([row.get(c.key) if row.get(c.key) not in (None, "") else None for c in book.columns])
        for index, column in enumerate(book.columns, start=1):
            cell = ws.cell(row=ws.max_row, column=index)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if column.kind == "date":
                cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = f"{book.agency.name}\n{book.title}"
    wb.properties.title = f"{book.title} — {book.agency.name}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(book: Book) -> str:
    kind = "di" if book.direction == Direction.OUTGOING else "den"
    return f"so-van-ban-{kind}-{book.year}-{book.agency.slug}.xlsx"

