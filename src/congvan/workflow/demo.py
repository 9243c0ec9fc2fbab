"""Demo documents (văn bản mẫu): a morning's work of the demo province, so that the registers, the inbox,
the search and the dashboards of a fresh `make run` have something to show.

Every document goes through the services a real officer, leader and clerk use — drafted with a PDF, signed
by the leader and sealed by the clerk with the demo certificates (`congvan pki demo`), numbered and issued;
each recipient's clerk registers it, its leader assigns it, the officer processes it as far as the story
says. Only agencies of this installation are addressed: a demo never sends a package or a mail.
Loaded once, by `congvan demo --documents` (what `congvan run` does on its first start)."""

from __future__ import annotations

import html
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from congvan.directory.models import Agency, Person
from congvan.documents import services as documents
from congvan.documents.models import Document
from congvan.reports.heading import heading_lines
from congvan.signing.services import DEMO_PASSPHRASE
from congvan.workflow import incoming, outgoing
from congvan.workflow.models import IncomingItem

log = logging.getLogger(__name__)

# How far each recipient takes it: arrived (waiting for the clerk), registered, assigned, started, done.
ARRIVED, REGISTERED, ASSIGNED, STARTED, DONE = "arrived", "registered", "assigned", "started", "done"


@dataclass(frozen=True)
class Story:
    sender: str  # slug of the issuing agency
    doc_type: str
    subject: str
    body: str
    recipients: dict[str, str]  # slug → how far it gets there
    due_in_working_days: int = 10
    form: str = "electronic"


STORIES = [
    Story("ubndtinh", "CT", "Về việc tăng cường sử dụng văn bản điện tử trong hoạt động của cơ quan nhà nước",
          "Yêu cầu các sở, ban, ngành và Ủy ban nhân dân các xã, phường gửi, nhận văn bản điện tử qua hệ thống "
          "quản lý văn bản và điều hành; văn bản đã ký số không gửi kèm bản giấy; văn thư kiểm tra hộp thư điện "
          "tử công vụ ít nhất hai lần mỗi buổi làm việc.",
          {"sokhcn": DONE, "sonoivu": STARTED, "pleiku": ASSIGNED, "ducco": ARRIVED}),
    Story("sokhcn", "KH", "Kế hoạch chuyển đổi số tỉnh Gia Lai năm 2027",
          "Triển khai nền tảng số dùng chung, số hóa hồ sơ lưu trữ, bảo đảm an toàn thông tin mạng; đề nghị các "
          "cơ quan góp ý dự thảo trước ngày 15 tháng 12.",
          {"ubndtinh": REGISTERED, "sotaichinh": ASSIGNED, "soyte": DONE}),
    Story("sotaichinh", "CV", "Về việc lập dự toán ngân sách nhà nước năm 2027",
          "Đề nghị các đơn vị lập dự toán thu, chi ngân sách năm 2027 theo hướng dẫn, gửi về Sở Tài chính "
          "bằng văn bản điện tử có ký số.",
          {"sokhcn": ASSIGNED, "soyte": REGISTERED, "quynhon": DONE}),
    Story("soyte", "BC", "Báo cáo kết quả tiêm chủng mở rộng quý IV năm 2026",
          "Tỷ lệ tiêm chủng đầy đủ cho trẻ dưới một tuổi đạt 96,4 %; các xã, phường vùng sâu cần tăng cường "
          "tổ chức tiêm chủng lưu động.",
          {"ubndtinh": ARRIVED}),
    Story("pleiku", "TTr", "Tờ trình đề nghị phê duyệt danh mục dịch vụ công trực tuyến toàn trình",
          "Ủy ban nhân dân phường Pleiku kính trình Ủy ban nhân dân tỉnh phê duyệt danh mục 48 thủ tục hành "
          "chính được cung cấp dịch vụ công trực tuyến toàn trình trên địa bàn phường.",
          {"ubndtinh": STARTED}),
    Story("sonoivu", "TB", "Thông báo lịch tiếp công dân tháng 12 năm 2026",
          "Giám đốc Sở Nội vụ tiếp công dân định kỳ vào sáng thứ Năm tuần thứ hai và thứ tư của tháng tại trụ sở "
          "Sở, số 2 đường Hùng Vương, phường Pleiku.",
          {"ubndtinh": DONE, "vpubnd": ARRIVED}),
    Story("ubndtinh", "QĐ", "Quyết định phê duyệt danh sách cơ quan thực hiện thí điểm phòng họp không giấy",
          "Phê duyệt danh sách 12 cơ quan thực hiện thí điểm phòng họp không giấy và giao Sở Khoa học và Công "
          "nghệ hướng dẫn triển khai.", {"sokhcn": ARRIVED, "vpubnd": ARRIVED}, form="paper"),
]


def _person(role: str, slug: str) -> Person:
    return Person.objects.select_related("agency").get(user__username=f"{role}.{slug}")


def _pdf(agency: Agency, story: Story, signer: Person) -> bytes:
    """The document's PDF: the heading of Decree 30 (agency, national motto), the subject, the text and the
    signature block (position, then the signer's name, where the signature is placed)."""
    from weasyprint import HTML

    parent = agency.parent.name if agency.parent_id else None
    lines = heading_lines(agency.name, parent, settings.PROVINCE_NAME)  # Decree 30's, as the reports print it
    page = f"""<html><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 20mm 15mm 20mm 30mm }}
      body {{ font-family: 'Tinos', 'Liberation Serif', 'DejaVu Serif', serif; font-size: 13pt }}
      .head {{ display: flex; justify-content: space-between; text-align: center; font-weight: bold }}
      h1 {{ font-size: 14pt; text-align: center; margin-top: 12mm }} p {{ text-align: justify; line-height: 1.4 }}
      .sign {{ margin: 10mm 0 0 55%; text-align: center; font-weight: bold }}
    </style></head><body>
      <div class="head"><div>{"<br>".join(html.escape(line) for line in lines if line)}</div>
      <div>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</div></div>
      <h1>{html.escape(story.subject)}</h1><p>{html.escape(story.body)}</p>
      <div class="sign">{html.escape(signer.position.upper())}<br><br><br><br>{html.escape(signer.full_name)}</div>
      </body></html>"""
    return HTML(string=page, base_url=str(settings.STATIC_ROOT)).write_pdf()


def _issue(story: Story) -> Document:
    officer, leader, clerk = (_person(role, story.sender) for role in ("chuyenvien", "lanhdao", "vanthu"))
    codes = list(Agency.objects.filter(slug__in=story.recipients).values_list("code", flat=True))
    document = documents.create_draft(officer, doc_type=story.doc_type, subject=story.subject, summary=story.body,
                                      recipients=codes, form=story.form)
    if story.form != "paper":
        documents.add_file(officer, document, "van-ban.pdf", io.BytesIO(_pdf(officer.agency, story, leader)))
    outgoing.submit(officer, document)
    electronic = story.form != "paper"
    outgoing.approve(leader, document, passphrase=DEMO_PASSPHRASE if electronic else None)
    return outgoing.issue(clerk, document, passphrase=DEMO_PASSPHRASE if electronic else None)


def _process(document: Document, slug: str, how_far: str, due_in_working_days: int) -> None:
    item = IncomingItem.objects.filter(delivery__document=document, agency__slug=slug).first()
    if item is None:  # sent on paper: its clerk registers the sheet when the post brings it
        return
    steps = [ARRIVED, REGISTERED, ASSIGNED, STARTED, DONE]
    reached = steps.index(how_far)
    if reached >= 1:
        item = incoming.register(_person("vanthu", slug), item)
    if reached >= 2:
        item = incoming.assign(_person("lanhdao", slug), item, lead=_person("chuyenvien", slug).pk,
                               support=[_person("chuyenvien2", slug).pk], due_in_working_days=due_in_working_days,
                               note="Đề nghị chủ trì, tham mưu thực hiện.")
    if reached >= 3:
        item = incoming.start(_person("chuyenvien", slug), item)
    if reached >= 4:
        incoming.complete(_person("chuyenvien", slug), item, note="Đã tổ chức thực hiện, báo cáo lãnh đạo.")


@transaction.atomic
def load_documents() -> int:
    """The stories above, once: nothing is added when the installation already has documents (all or none
    of them: a failure leaves none). Returns how many documents were issued."""
    if Document.objects.exists():
        return 0
    for story in STORIES:
        document = _issue(story)
        for slug, how_far in story.recipients.items():
            _process(document, slug, how_far, story.due_in_working_days)
        log.info("demo document %s issued by %s", document.notation, story.sender)
    return len(STORIES)
