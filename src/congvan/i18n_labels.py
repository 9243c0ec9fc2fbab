"""Labels that reach the page through ``{% translate variable %}``, listed so makemessages extracts them.

The templates translate model choice labels (``{% translate doc.get_state_display %}``) and the names of the
national document types (rows of the 0002 data migration). Those strings are plain text in the models and
the migration, so xgettext never sees them; ``gettext_noop`` marks them here (nothing imports this module).
Keep the lists in step with the choices in ``*/models.py`` and with the national types.
"""


def gettext_noop(message: str) -> str:
    """A marker for xgettext (makemessages extracts ``gettext_noop``); the text is returned unchanged."""
    return message


MODEL_CHOICE_LABELS = [
    # directory.models: Agency.Level, Role
    gettext_noop("Cấp tỉnh"), gettext_noop("Sở, ban, ngành"), gettext_noop("Cấp xã"),
    gettext_noop("Trung ương"), gettext_noop("Khác"),
    gettext_noop("Văn thư"), gettext_noop("Lãnh đạo"), gettext_noop("Chuyên viên"), gettext_noop("Quản trị"),
    # documents.models: Secrecy, Urgency, Form, Direction, Document.State, File.Role
    gettext_noop("Thường"), gettext_noop("Mật"), gettext_noop("Tối mật"), gettext_noop("Tuyệt mật"),
    gettext_noop("Khẩn"), gettext_noop("Thượng khẩn"), gettext_noop("Hỏa tốc"),
    gettext_noop("Điện tử"), gettext_noop("Điện tử kèm giấy"), gettext_noop("Giấy"),
    gettext_noop("Văn bản đi"), gettext_noop("Văn bản đến"),
    gettext_noop("Dự thảo"), gettext_noop("Chờ duyệt"), gettext_noop("Trả lại"),
    gettext_noop("Đã duyệt, chờ phát hành"), gettext_noop("Đã phát hành"),
    gettext_noop("Văn bản chính"), gettext_noop("Phụ lục"), gettext_noop("Bản soạn thảo (Word)"),
    # workflow.models: Status (edXML), Channel, IncomingItem.State, Distribution.Role, CalendarDay.Kind
    gettext_noop("Đã đến"), gettext_noop("Từ chối tiếp nhận"), gettext_noop("Đã tiếp nhận"),
    gettext_noop("Phân công"), gettext_noop("Đang xử lý"),
    gettext_noop("Hoàn thành"), gettext_noop("Lấy lại"), gettext_noop("Đồng ý"), gettext_noop("Từ chối"),
    gettext_noop("Nội bộ hệ thống"), gettext_noop("Trục liên thông"), gettext_noop("Thư điện tử"),
    gettext_noop("Bản giấy"),
    gettext_noop("Chờ tiếp nhận"), gettext_noop("Đã từ chối"), gettext_noop("Đã vào sổ, chờ phân công"),
    gettext_noop("Đã phân công"),
    gettext_noop("Đã thu hồi"),
    gettext_noop("Xử lý chính"), gettext_noop("Phối hợp"), gettext_noop("Để biết"), gettext_noop("Chuyển"),
    gettext_noop("Ngày nghỉ"), gettext_noop("Ngày làm bù"),
]

# documents/migrations/0002_national_document_types.py: the national list (Decree 30/2020/NĐ-CP).
# Types an agency adds itself keep the name it typed.
NATIONAL_DOCUMENT_TYPE_NAMES = [
    gettext_noop("Công văn"), gettext_noop("Nghị quyết"), gettext_noop("Quyết định"), gettext_noop("Chỉ thị"),
    gettext_noop("Quy chế"), gettext_noop("Quy định"),
    gettext_noop("Thông cáo"), gettext_noop("Thông báo"), gettext_noop("Hướng dẫn"),
    gettext_noop("Chương trình"), gettext_noop("Kế hoạch"), gettext_noop("Phương án"),
    gettext_noop("Đề án"), gettext_noop("Dự án"), gettext_noop("Báo cáo"), gettext_noop("Biên bản"),
    gettext_noop("Tờ trình"), gettext_noop("Hợp đồng"),
    gettext_noop("Công điện"), gettext_noop("Bản ghi nhớ"), gettext_noop("Bản thỏa thuận"),
    gettext_noop("Giấy ủy quyền"), gettext_noop("Giấy mời"),
    gettext_noop("Giấy giới thiệu"), gettext_noop("Giấy nghỉ phép"), gettext_noop("Phiếu gửi"),
    gettext_noop("Phiếu chuyển"), gettext_noop("Phiếu báo"),
    gettext_noop("Thư công"),
    gettext_noop("Quyết định (quy phạm pháp luật)"), gettext_noop("Chỉ thị (quy phạm pháp luật)"),
    gettext_noop("Nghị quyết (quy phạm pháp luật)"),
]
