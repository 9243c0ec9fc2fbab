"""A known history of 2025 for the report tests: documents of every channel and form, scanned and born
digital, across agencies and months, written row by row (timestamps set by hand), and the figures it must
give. ``build_history()`` returns the documents by name (D1 … D10) and the incoming items by name.

Agencies (demo province): P UBND tỉnh (province), V Văn phòng UBND tỉnh, K Sở KH&CN, N Sở Nội vụ
(departments), PL, QN, DC (communes); plus VPCP (central, other installation), a department of Nghệ
An (another province) and a business (level "Khác"), the last two added here.

    doc  sender  issued      approved    form        secret  pages  main file      deliveries (recipient: channel)
    D1   P       06/01 09h   06/01       electronic          2      born_digital   N, K, DC: internal
    D2   N       08/01       06/01 late  hybrid              -      scanned_image  P, V: internal
    D3   K       15/01       14/01       paper               -      -              P: paper
    D4   K       20/01       20/01       paper       mật     -      -              N: paper
    D5   DC      22/01       22/01       electronic          3      born_digital   P, DC (itself): internal
    D6   P       03/02       31/01 (Fri) hybrid              -      scanned_text   VPCP, SNV Nghệ An: exchange; business: email
    D7   N       10/02       10/02       electronic          1      (unknown)      N (itself): internal
    D8   QN      12/02       12/02       electronic          -      scanned_image  V: internal
    D9   P       01/04       27/03 late  paper               -      -              PL: paper
    D10  VPCP    31/03       -           electronic          -      born_digital   P: exchange (arrives 01/04)

Incoming items: D1→N done 09/01 (due 10/01), D1→K done 20/01 (due 15/01), D1→DC assigned, still open (due
31/01), D2→P done 08/01, D2→V arrived only, D5→P refused, D5→DC arrived only, D7→N done 11/02, D8→V done
14/02 (due 14/02), D10→P done 15/04 (due 10/04).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from congvan.directory.models import Agency
from congvan.documents.models import Blob, Document, DocumentFile, DocumentType, FileOrigin, Form, Secrecy
from congvan.workflow.models import Delivery, IncomingItem

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2025
CODES = {"P": "000.00.00.H21", "V": "000.01.00.H21", "K": "000.10.00.H21", "N": "000.05.00.H21",
         "PL": "000.61.00.H21", "QN": "000.62.00.H21", "DC": "000.63.00.H21", "VPCP": "000.00.00.G22"}


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(YEAR, month, day, hour, minute, tzinfo=TZ)


def extra_agencies() -> dict[str, Agency]:
    """A department of another province and a business, on no installation of ours."""
    nghean, _ = Agency.objects.get_or_create(code="000.05.00.H41", defaults={
        "slug": "sonoivu-nghean", "name": "Sở Nội vụ tỉnh Nghệ An", "short_name": "SNV", "level": "department",
        "is_local": False})
    business, _ = Agency.objects.get_or_create(code="CTYCAPHEGIALAI", defaults={
        "slug": "cty-ca-phe", "name": "Công ty Cổ phần Cà phê Gia Lai", "short_name": "CTCP", "level": "other",
        "is_local": False})
    return {"NA": nghean, "BIZ": business}


# name: (sender, issued, approved, form, secret, pages, origin, [(recipient, channel)])
DOCUMENTS = {
    "D1": ("P", at(1, 6), at(1, 6, 8), Form.ELECTRONIC, False, 2, FileOrigin.BORN_DIGITAL,
           [("N", "internal"), ("K", "internal"), ("DC", "internal")]),
    "D2": ("N", at(1, 8), at(1, 6, 16), Form.HYBRID, False, None, FileOrigin.SCANNED_IMAGE,
           [("P", "internal"), ("V", "internal")]),
    "D3": ("K", at(1, 15), at(1, 14, 16), Form.PAPER, False, None, None, [("P", "paper")]),
    "D4": ("K", at(1, 20), at(1, 20, 8), Form.PAPER, True, None, None, [("N", "paper")]),
    "D5": ("DC", at(1, 22), at(1, 22, 8), Form.ELECTRONIC, False, 3, FileOrigin.BORN_DIGITAL,
           [("P", "internal"), ("DC", "internal")]),
    "D6": ("P", at(2, 3), at(1, 31, 16), Form.HYBRID, False, None, FileOrigin.SCANNED_TEXT,
           [("VPCP", "exchange"), ("NA", "exchange"), ("BIZ", "email")]),
    "D7": ("N", at(2, 10), at(2, 10, 8), Form.ELECTRONIC, False, 1, FileOrigin.UNKNOWN, [("N", "internal")]),
    "D8": ("QN", at(2, 12), at(2, 12, 8), Form.ELECTRONIC, False, None, FileOrigin.SCANNED_IMAGE,
           [("V", "internal")]),
    "D9": ("P", at(4, 1), at(3, 27, 16), Form.PAPER, False, None, None, [("PL", "paper")]),
    "D10": ("VPCP", at(3, 31), None, Form.ELECTRONIC, False, None, FileOrigin.BORN_DIGITAL, [("P", "exchange")]),
}
ARRIVALS = {"D10": at(4, 1, 8)}  # a delivery from another installation arrives later than its issue

# (document, recipient): (state, registered, completed, due)
ITEMS = {
    ("D1", "N"): ("done", at(1, 6, 10), at(1, 9, 15), date(YEAR, 1, 10)),
    ("D1", "K"): ("done", at(1, 6, 10), at(1, 20, 15), date(YEAR, 1, 15)),
    ("D1", "DC"): ("assigned", at(1, 7, 10), None, date(YEAR, 1, 31)),
    ("D2", "P"): ("done", at(1, 8, 10), at(1, 8, 16), None),
    ("D2", "V"): ("arrived", None, None, None),
    ("D5", "P"): ("refused", None, None, None),
    ("D5", "DC"): ("arrived", None, None, None),
    ("D7", "N"): ("done", at(2, 10, 10), at(2, 11, 15), None),
    ("D8", "V"): ("done", at(2, 12, 10), at(2, 14, 15), date(YEAR, 2, 14)),
    ("D10", "P"): ("done", at(4, 1, 9), at(4, 15, 15), date(YEAR, 4, 10)),
}


def build_history() -> tuple[dict[str, Document], dict[tuple[str, str], IncomingItem]]:
    agencies = {name: Agency.objects.get(code=code) for name, code in CODES.items()} | extra_agencies()
    cv = DocumentType.objects.get(agency__isnull=True, code="CV")
    blob, _ = Blob.objects.get_or_create(sha256="ab" * 32, defaults={"size": 1000})
    docs, items = {}, {}
    for number, (name, (sender, issued, approved, form, secret, pages, origin, recipients)) in enumerate(
            DOCUMENTS.items(), start=1):
        agency = agencies[sender]
        doc = Document.objects.create(
            agency=agency, doc_type=cv, subject=f"Văn bản thử nghiệm {name} về sử dụng văn bản điện tử",
            state=Document.State.ISSUED, form=form, secrecy=Secrecy.MAT if secret else Secrecy.NONE,
            number=number, notation=f"{number:02d}/{agency.short_name}-{name}", issued_at=issued,
            approved_at=approved, page_amount=pages)
        if origin is not None:
            DocumentFile.objects.create(document=doc, blob=blob, name=f"{name}.pdf", content_type="application/pdf",
                                        role=DocumentFile.Role.MAIN, origin=origin)
        for recipient, channel in recipients:
            delivery = Delivery.objects.create(document=doc, recipient=agencies[recipient], channel=channel)
            arrived = ARRIVALS.get(name, issued)
            Delivery.objects.filter(pk=delivery.pk).update(created_at=arrived, updated_at=arrived)
            spec = ITEMS.get((name, recipient))
            if spec is None:
                continue
            state, registered, completed, due = spec
            items[(name, recipient)] = IncomingItem.objects.create(
                delivery=delivery, agency=agencies[recipient], document=doc, state=state, arrived_at=arrived,
                registered_at=registered, completed_at=completed, due_date=due)
        docs[name] = doc
    return docs, items
