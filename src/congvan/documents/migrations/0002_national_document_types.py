"""The national list of document types (Decree 30/2020, Appendix III); every agency sees it."""

from django.db import migrations

TYPES = [
    ("CV", "Công văn", "", False), ("NQ", "Nghị quyết", "NQ", False), ("QĐ", "Quyết định", "QĐ", False),
    ("CT", "Chỉ thị", "CT", False), ("QC", "Quy chế", "QC", False), ("QyĐ", "Quy định", "QyĐ", False),
    ("TC", "Thông cáo", "TC", False), ("TB", "Thông báo", "TB", False), ("HD", "Hướng dẫn", "HD", False),
    ("CTr", "Chương trình", "CTr", False), ("KH", "Kế hoạch", "KH", False), ("PA", "Phương án", "PA", False),
    ("ĐA", "Đề án", "ĐA", False), ("DA", "Dự án", "DA", False), ("BC", "Báo cáo", "BC", False),
    ("BB", "Biên bản", "BB", False), ("TTr", "Tờ trình", "TTr", False), ("HĐ", "Hợp đồng", "HĐ", False),
    ("CĐ", "Công điện", "CĐ", False), ("BGN", "Bản ghi nhớ", "BGN", False), ("BTT", "Bản thỏa thuận", "BTT", False),
    ("GUQ", "Giấy ủy quyền", "GUQ", False), ("GM", "Giấy mời", "GM", False), ("GGT", "Giấy giới thiệu", "GGT", False),
    ("GNP", "Giấy nghỉ phép", "GNP", False), ("PG", "Phiếu gửi", "PG", False), ("PC", "Phiếu chuyển", "PC", False),
    ("PB", "Phiếu báo", "PB", False), ("TCg", "Thư công", "", False),
    ("QĐ-QPPL", "Quyết định (quy phạm pháp luật)", "QĐ", True), ("CT-QPPL", "Chỉ thị (quy phạm pháp luật)", "CT", True),
    ("NQ-QPPL", "Nghị quyết (quy phạm pháp luật)", "NQ", True),
]


def load(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for code, name, abbreviation, normative in TYPES:
        DocumentType.objects.get_or_create(agency=None, code=code, defaults={
            "name": name, "abbreviation": abbreviation, "is_normative": normative})


def unload(apps, schema_editor):
    apps.get_model("documents", "DocumentType").objects.filter(agency=None).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
