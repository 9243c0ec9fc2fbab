"""The demo province: tỉnh Gia Lai in today's two-level structure (tỉnh → sở / xã, phường).

Codes of the departments and communes are illustrative (the real list is loaded by the operator).
Accounts follow shared/API.md: ``quantri`` and, per agency, ``vanthu.<slug>``, ``lanhdao.<slug>``,
``chuyenvien.<slug>`` (plus ``chuyenvien2.<slug>`` to have someone to assign support to), password ``congvan``.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from congvan import audit
from congvan.directory.models import Agency, AgencyHistory, Person, RoleGrant, Unit
from congvan.workflow.models import CalendarDay

PASSWORD = "congvan"
# Official addresses: the installation's first mail domain (CONGVAN_MAIL_DOMAINS); the default
# "gialai.example" is under .example, reserved by RFC 2606, so no real mailbox is ever addressed.
DOMAIN = "gialai.example"

# slug, code, name, short name, level, units [(short, name)], history [(code, name, until, note)]
AGENCIES = [
    ("ubndtinh", "000.00.00.H21", "Ủy ban nhân dân tỉnh Gia Lai", "UBND", "province",
     [("VP", "Văn phòng"), ("KT", "Phòng Kinh tế"), ("KGVX", "Phòng Khoa giáo - Văn xã"), ("NC", "Phòng Nội chính")],
     [("000.00.00.H08", "Ủy ban nhân dân tỉnh Bình Định", date(2025, 6, 30),
       "Sáp nhập tỉnh Bình Định vào tỉnh Gia Lai (Nghị quyết 202/2025/QH15)")]),
    ("vpubnd", "000.01.00.H21", "Văn phòng Ủy ban nhân dân tỉnh Gia Lai", "VPUBND", "department",
     [("HCTC", "Phòng Hành chính - Tổ chức"), ("TH", "Phòng Tổng hợp")], []),
    ("sokhcn", "000.10.00.H21", "Sở Khoa học và Công nghệ tỉnh Gia Lai", "SKHCN", "department",
     [("VP", "Văn phòng"), ("CĐS", "Phòng Chuyển đổi số"), ("BCVT", "Phòng Bưu chính, Viễn thông")],
     [("000.12.00.H21", "Sở Thông tin và Truyền thông tỉnh Gia Lai", date(2025, 2, 28),
       "Hợp nhất Sở Thông tin và Truyền thông vào Sở Khoa học và Công nghệ")]),
    ("sonoivu", "000.05.00.H21", "Sở Nội vụ tỉnh Gia Lai", "SNV", "department",
     [("VP", "Văn phòng"), ("TCBM", "Phòng Tổ chức, biên chế")], []),
    ("sotaichinh", "000.03.00.H21", "Sở Tài chính tỉnh Gia Lai", "STC", "department",
     [("VP", "Văn phòng"), ("NS", "Phòng Quản lý ngân sách")], []),
    ("soyte", "000.09.00.H21", "Sở Y tế tỉnh Gia Lai", "SYT", "department",
     [("VP", "Văn phòng"), ("NVY", "Phòng Nghiệp vụ Y")], []),
    ("pleiku", "000.61.00.H21", "Ủy ban nhân dân phường Pleiku", "UBND", "commune",
     [("VP", "Văn phòng HĐND và UBND"), ("KT", "Phòng Kinh tế, Hạ tầng và Đô thị")],
     [("000.20.00.H21", "Ủy ban nhân dân thành phố Pleiku", date(2025, 6, 30),
       "Kết thúc hoạt động cấp huyện từ 01/7/2025")]),
    ("quynhon", "000.62.00.H21", "Ủy ban nhân dân phường Quy Nhơn", "UBND", "commune",
     [("VP", "Văn phòng HĐND và UBND"), ("VHXH", "Phòng Văn hóa - Xã hội")], []),
    ("ducco", "000.63.00.H21", "Ủy ban nhân dân xã Đức Cơ", "UBND", "commune",
     [("VP", "Văn phòng HĐND và UBND"), ("KT", "Phòng Kinh tế")],
     [("000.29.00.H21", "Ủy ban nhân dân huyện Đức Cơ", date(2025, 6, 30), "Kết thúc hoạt động cấp huyện")]),
]

# An agency on another system: documents to it take the exchange channel.
REMOTE = [("vpcp", "000.00.00.G22", "Văn phòng Chính phủ", "VPCP", "central")]

PEOPLE = {  # slug → (leader, position), (clerk), (officer), (officer 2)
    "ubndtinh": [("Phạm Anh Tuấn", "Chủ tịch"), ("Nguyễn Thị Hồng Nhung", "Văn thư"),
                 ("Trần Quốc Bảo", "Chuyên viên"), ("Lê Thị Mỹ Duyên", "Chuyên viên")],
    "vpubnd": [("Nguyễn Tấn Lộc", "Chánh Văn phòng"), ("Đỗ Thị Thu Hà", "Văn thư"),
               ("Võ Minh Khoa", "Chuyên viên"), ("Huỳnh Thị Ngọc Ánh", "Chuyên viên")],
    "sokhcn": [("Đặng Văn Hưng", "Giám đốc"), ("Phan Thị Lan", "Văn thư"),
               ("Ngô Đức Thắng", "Chuyên viên"), ("Bùi Thị Thanh Tâm", "Chuyên viên")],
    "sonoivu": [("Hồ Văn Điền", "Giám đốc"), ("Lý Thị Kim Oanh", "Văn thư"),
                ("Châu Minh Trí", "Chuyên viên"), ("Đinh Thị Phương", "Chuyên viên")],
    "sotaichinh": [("Trương Văn Đạt", "Giám đốc"), ("Mai Thị Xuân", "Văn thư"),
                   ("Tô Hoàng Long", "Chuyên viên"), ("Kiều Thị Bích Ngọc", "Chuyên viên")],
    "soyte": [("Lâm Quang Vinh", "Giám đốc"), ("Dương Thị Hạnh", "Văn thư"),
              ("Vũ Đình Phúc", "Chuyên viên"), ("Trịnh Thị Yến", "Chuyên viên")],
    "pleiku": [("Rơ Châm Thuần", "Chủ tịch"), ("Ksor H'Bla", "Văn thư"),
               ("Nguyễn Văn Sơn", "Công chức"), ("Siu H'Lan", "Công chức")],
    "quynhon": [("Trần Văn Nhân", "Chủ tịch"), ("Lê Thị Diệu", "Văn thư"),
                ("Phạm Quốc Việt", "Công chức"), ("Đoàn Thị Hoa", "Công chức")],
    "ducco": [("Rah Lan Chung", "Chủ tịch"), ("Nay H'Nhung", "Văn thư"),
              ("Nguyễn Đình Khang", "Công chức"), ("Kpă Thị Hiền", "Công chức")],
}

# Other installations, for exchange tests and demonstrations (``congvan demo --profile …``): another
# province and a central body, each on its own installation.
OTHER_PROFILES = {
    "nghean": {
        "domain": "nghean.example", "place": "Nghệ An", "operator": "ubndtinh",
        "agencies": [
            ("ubndtinh", "000.00.00.H41", "Ủy ban nhân dân tỉnh Nghệ An", "UBND", "province",
             [("VP", "Văn phòng"), ("KT", "Phòng Kinh tế")], []),
            ("sonoivu", "000.05.00.H41", "Sở Nội vụ tỉnh Nghệ An", "SNV", "department",
             [("VP", "Văn phòng"), ("TCBM", "Phòng Tổ chức, biên chế")], []),
        ],
        "people": {
            "ubndtinh": [("Nguyễn Đức Trung", "Chủ tịch"), ("Hoàng Thị Thu Trang", "Văn thư"),
                         ("Phan Văn Quế", "Chuyên viên"), ("Cao Thị Lài", "Chuyên viên")],
            "sonoivu": [("Lê Đình Lý", "Giám đốc"), ("Thái Thị Mai", "Văn thư"),
                        ("Hồ Sỹ Tiến", "Chuyên viên"), ("Đậu Thị Hằng", "Chuyên viên")],
        },
    },
    "vpcp": {
        "domain": "chinhphu.example", "place": "Hà Nội", "operator": "vpcp",
        "agencies": [
            ("vpcp", "000.00.00.G22", "Văn phòng Chính phủ", "VPCP", "central",
             [("TTĐT", "Cục Kiểm soát thủ tục hành chính"), ("TH", "Vụ Tổng hợp")], []),
        ],
        "people": {
            "vpcp": [("Trần Văn Sơn", "Bộ trưởng, Chủ nhiệm"), ("Nguyễn Thị Ngọc Trâm", "Văn thư"),
                     ("Lê Minh Khôi", "Chuyên viên"), ("Vũ Thu Thủy", "Chuyên viên")],
        },
    },
}
PROFILES = ("gialai", *OTHER_PROFILES)

# Public holidays and make-up days (the operator maintains this list each year).
CALENDAR = [
    (date(2026, 1, 1), "holiday", "Tết Dương lịch"),
    *[(date(2026, 2, d), "holiday", "Tết Nguyên đán Bính Ngọ") for d in range(16, 21)],
    (date(2026, 4, 27), "holiday", "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (date(2026, 4, 30), "holiday", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    (date(2026, 5, 1), "holiday", "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "holiday", "Quốc khánh"),
    (date(2026, 9, 2), "holiday", "Quốc khánh"),
    (date(2027, 1, 1), "holiday", "Tết Dương lịch"),
]


def demo_domain() -> str:
    return settings.MAIL_DOMAINS[0] if settings.MAIL_DOMAINS else DOMAIN


def _user(username: str, full_name: str, email: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _person(username, agency, unit, full_name, position, roles, operator=False, domain=None):
    domain = domain or demo_domain()
    user = _user(username, full_name, f"{username}@{domain}")
    person, _ = Person.objects.get_or_create(user=user, defaults={
        "agency": agency, "unit": unit, "full_name": full_name, "position": position,
        "email": f"{username}@{domain}", "is_operator": operator, "publish_in_directory": "leader" in roles})
    for role in roles:
        RoleGrant.objects.get_or_create(person=person, role=role)
    return person


@transaction.atomic
def load_demo(pki: bool = False, profile: str = "gialai") -> list[tuple[str, str, str]]:
    """Create the demo province if missing (idempotent). Returns (username, name, what) for printing.

    ``pki``: also the demo PKI (congvan.signing), when no trust store exists yet, so the demo signs.
    ``profile``: another installation's demo data (``OTHER_PROFILES``) instead of Gia Lai."""
    other = OTHER_PROFILES.get(profile)
    agencies, people = (other["agencies"], other["people"]) if other else (AGENCIES, PEOPLE)
    domain, place = (other["domain"], other["place"]) if other else (demo_domain(), "Gia Lai")
    province = None
    accounts = []
    for slug, code, name, short, level, units, history in agencies:
        agency, _ = Agency.objects.get_or_create(code=code, defaults={
            "slug": slug, "name": name, "short_name": short, "level": level, "parent": province,
            "email": f"{slug}@{domain}", "place": place, "phone": "0269 3 8" + code[4:6] + " 123",
            "address": (f"{place}" if other else "Quy Nhơn, Gia Lai" if slug != "pleiku" else "Pleiku, Gia Lai"),
            "website": f"https://{slug}.{domain}"})
        if level == "province":
            province = agency
        unit_rows = [Unit.objects.get_or_create(agency=agency, short_name=u, defaults={"name": n})[0]
                     for u, n in units]
        for old_code, old_name, until, note in history:
            AgencyHistory.objects.get_or_create(agency=agency, code=old_code, defaults={
                "name": old_name, "valid_until": until, "note": note})
        (leader, lpos), (clerk, cpos), (officer, opos), (officer2, o2pos) = people[slug]
        _person(f"lanhdao.{slug}", agency, unit_rows[0], leader, lpos, ["leader"], domain=domain)
        _person(f"vanthu.{slug}", agency, unit_rows[0], clerk, cpos, ["clerk", "admin"], domain=domain)
        _person(f"chuyenvien.{slug}", agency, unit_rows[0], officer, opos, ["officer"], domain=domain)
        _person(f"chuyenvien2.{slug}", agency, unit_rows[-1], officer2, o2pos, ["officer"], domain=domain)
        accounts += [(f"lanhdao.{slug}", leader, f"lãnh đạo — {name}"),
                     (f"vanthu.{slug}", clerk, f"văn thư — {name}"),
                     (f"chuyenvien.{slug}", officer, f"chuyên viên — {name}")]
    for slug, code, name, short, level in ([] if other else REMOTE):
        Agency.objects.get_or_create(code=code, defaults={
            "slug": slug, "name": name, "short_name": short, "level": level, "is_local": False,
            "place": "Hà Nội", "email": f"{slug}@chinhphu.example"})
    operator_agency = Agency.objects.get(slug=other["operator"] if other else "sokhcn")
    _person("quantri", operator_agency, None, "Nguyễn Hoàng Minh", "Quản trị hệ thống", ["admin"], operator=True,
            domain=domain)
    accounts.insert(0, ("quantri", "Nguyễn Hoàng Minh", f"quản trị hệ thống ({operator_agency.name})"))
    for day, kind, label in CALENDAR:
        CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": label})
    from congvan.mail.demo import (
        load_mailboxes,  # official mailboxes of the demo agencies and people (issue 5)
    )

    load_mailboxes(domain)
    audit.record("demo.load", agency=province, agencies=len(agencies), profile=profile)
    if not other:  # usage reports (issue 7): the plan's targets of Gia Lai
        from congvan.reports.demo import load_report_demo

        load_report_demo()
    if pki:  # signing (issue 3): certificates for the demo leaders and agencies
        from congvan.signing.services import load_demo_pki

        load_demo_pki()
    return accounts
