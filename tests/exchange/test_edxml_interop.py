"""Every real package in /work/shared/interop/edxml/ read with real field values checked.

A new file in that directory fails ``test_every_sample_has_expectations`` until it gets a row in
EXPECTATIONS.
"""

import base64
import hashlib
import io
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from congvan.exchange import edxml

INTEROP = Path("/work/shared/interop/edxml")
SAMPLES = sorted(p.name for p in INTEROP.iterdir() if p.is_file())
SDK = INTEROP / "sdk_output_edoc_zip_attachment.edxml"
THREE = ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
VNPT_DOC = "1896_QD-TTg_m_294779.doc"
BIG_ZIPPED = (388347, "8385739ec4a4ed36d71eabcaead629641ffc5ffff3d487ff5c34d2f821c9f36e")


@pytest.fixture
def spool(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    return folder


def independent_attachment(path: Path) -> tuple[int, str, bytes]:
    """Size and SHA-256 of the file inside the (single) zipped attachment, by regex + base64 + zipfile."""
    text = path.read_text(encoding="utf-8")
    encoded = re.search(r"<edXML:ContentTransferEncoded[^>]*>([^<]*)</edXML:ContentTransferEncoded>", text)[1]
    raw = base64.b64decode(encoded, validate=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        (member,) = archive.infolist()
        data = archive.read(member)
    return len(data), hashlib.sha256(data).hexdigest(), data


def check_common_document(pkg, spool):
    assert isinstance(pkg, edxml.DocumentPackage)
    assert pkg.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert pkg.code_notation == "VPCP-TTĐT"
    assert pkg.type == 1 and pkg.type_detail == "0" and pkg.type_name == "Công văn"
    assert pkg.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert pkg.signer_competence == "TL. BO TRUONG" and pkg.signer_full_name == "Nguyen Thanh Phuc"
    assert pkg.place == "Hà Nội"
    assert pkg.priority == 0 and pkg.steering_type == 1
    assert pkg.sphere_of_promulgation == "Liên thông văn bản quốc gia" and pkg.typer_notation == "TVC"
    assert pkg.promulgation_amount == 2 and pkg.page_amount == 22 and pkg.direction is False
    assert pkg.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    assert pkg.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert pkg.signed is True  # a Signature element in the edXML namespace
    assert pkg.business.staff == edxml.StaffInfo(department="Văn thư văn phòng", staff="Nguyễn Thị Ngọc Trâm",
                                                 email="vanthuvanphong@gov.vn", mobile="84912000001")
    (att,) = pkg.attachments
    assert att.content_id == "209" and att.name == VNPT_DOC and att.description == VNPT_DOC
    assert att.content_type == "application/zip" and att.was_zipped
    assert att.path.parent == spool and att.path.stat().st_size == att.size
    assert hashlib.sha256(att.path.read_bytes()).hexdigest() == att.sha256
    return att


def expect_sdk(pkg, spool):
    att = check_common_document(pkg, spool)
    assert pkg.from_ == edxml.Organization(
        organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ", organization_in_charge="Văn phòng Chính phủ",
        organ_add="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội", email="vpcp@gov.vn", telephone="8043100",
        fax="048989898789", website="vpcp.vn")
    assert [o.organ_id for o in pkg.to] == THREE
    assert pkg.to[1].organ_name == "UBND Tỉnh Cao Bằng" and pkg.to[2].telephone == "(84-4) 3821 5137"
    assert pkg.code_number == "7816"
    assert pkg.promulgation_date == date(2019, 4, 11) and pkg.due_date == date(2019, 4, 11)
    assert pkg.business.doc_type == edxml.BusinessDocType.NEW == 0
    assert pkg.business.reason == "Văn bản điện tử mới" and pkg.business.paper is False
    # 2014/02/30 is not a date, but Bussiness/DocumentId is a string: kept as written.
    assert pkg.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert pkg.traces == [edxml.TraceHeader("000.00.00.G22", datetime(2019, 4, 11, 0, 0, 0))]
    size, sha256, _ = independent_attachment(SDK)
    assert (att.size, att.sha256) == (size, sha256) == (
        8381, "e7de316a8b44b0afd55400ab40ed5851fdca8c86b972aec61e7baf85b51e1fbc")
    assert pkg.response_for == []


def expect_vpcp_variant(doc_type, reason):
    def check(pkg, spool):
        att = check_common_document(pkg, spool)
        assert pkg.from_.organ_id == "000.00.00.G22" and [o.organ_id for o in pkg.to] == THREE
        assert pkg.code_number == "7816" and pkg.promulgation_date == date(2018, 9, 28)
        assert pkg.business.doc_type == doc_type and pkg.business.reason == reason
        assert pkg.traces == [edxml.TraceHeader("000.00.00.G22", datetime(2018, 9, 28))]
        assert (att.size, att.sha256) == BIG_ZIPPED
        return pkg
    return check


def expect_revocation(pkg, spool):
    expect_vpcp_variant(edxml.BusinessDocType.REVOKE, "Thu hồi văn bản điện tử")(pkg, spool)
    assert pkg.business.document_id == ""
    assert pkg.response_for == [edxml.ResponseFor(organ_id="000.00.00.H14", code="267/VPCP-TTĐT",
                                                  promulgation_date=date(2018, 9, 28),
                                                  document_id="000.00.04.G14,2012/08/06,267/VPCP-TTĐT")]


def expect_update(pkg, spool):
    expect_vpcp_variant(edxml.BusinessDocType.UPDATE, "Cập nhật văn bản điện tử")(pkg, spool)
    assert pkg.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert pkg.business.document_info is True and pkg.business.document_receiver is True
    assert pkg.business.receivers == [edxml.Receiver("000.00.00.H41", 0), edxml.Receiver("000.00.00.H14", 1)]
    assert pkg.business.replacements == []


def expect_replacement(pkg, spool):
    expect_vpcp_variant(edxml.BusinessDocType.REPLACE, "Văn bản thay thế")(pkg, spool)
    info = edxml.ReplacementInfo("000.00.00.G22,2014/01/30,7806/VPCP-TTĐT", ["000.00.00.H41", "000.00.00.H14"])
    assert pkg.business.replacements == [info, info]
    assert pkg.business.receivers == []


def expect_new(pkg, spool):
    att = check_common_document(pkg, spool)
    assert pkg.from_.organ_id == "000.00.00.A80"
    assert pkg.from_.organ_name == "UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng"
    assert [o.organ_id for o in pkg.to] == ["28.22.H17"]
    assert pkg.code_number == "74fass22" and pkg.promulgation_date == date(2019, 1, 16)
    assert pkg.due_date == date(2018, 9, 28)
    assert pkg.business.doc_type == edxml.BusinessDocType.NEW
    assert (att.size, att.sha256) == BIG_ZIPPED


NGHE_AN_CLERK = edxml.StaffInfo("Phong hanh chinh", "Nguyen thi ngoc tram", "ngoctram@nghean.vn", "84912000001")


def expect_status(code, description, *, from_="000.00.00.H41", responder="000.00.00.G22",
                  promulgation=date(2015, 9, 30), timestamp=datetime(2015, 9, 20, 11, 8, 36), staff=NGHE_AN_CLERK):
    def check(pkt, spool):
        assert isinstance(pkt, edxml.StatusPacket)
        assert pkt.status_code == code and pkt.description == description
        assert pkt.from_.organ_id == from_
        assert pkt.response_for == edxml.ResponseFor(organ_id=responder, code="7816/VPCP-TTĐT",
                                                     promulgation_date=promulgation,
                                                     document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
        assert pkt.timestamp == timestamp and pkt.staff == staff and pkt.signed is False
    return check


def expect_broken(path, spool):
    with pytest.raises(edxml.PackageError) as caught:
        edxml.read_package(path, spool_dir=spool)
    error = caught.value
    assert error.code == "not_well_formed"
    assert error.message.startswith("Gói tin không đúng cú pháp XML (dòng 74, cột 29): ")
    assert "From line 7 and MessageHeader" in error.message
    assert (error.detail["line"], error.detail["column"]) == (74, 29)


EXPECTATIONS = {
    "edoc.edxml": expect_broken,
    "edoc_new.edxml": expect_new,
    "edoc_replacement.edxml": expect_replacement,
    "edoc_revocation.edxml": expect_revocation,
    "edoc_update.edxml": expect_update,
    "sdk_output_edoc_zip_attachment.edxml": expect_sdk,
    "status.edxml": expect_status(
        "01", "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
        promulgation=date(2018, 9, 28), timestamp=datetime(2018, 9, 28, 17, 25, 11),
        staff=edxml.StaffInfo("Văn thư văn phòng", "Nguyễn Thị Ngọc Trâm", "vanthuvanphong@gov.vn", "84912000001")),
    "status_acceptance_03.edxml": expect_status(
        "03", "Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị"),
    "status_assignment_04.edxml": expect_status("04", "Lãnh đạo: Phân công xử lý"),
    "status_cancellation_13.edxml": expect_status(
        "13", "Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do", from_="000.00.00.G22", responder="000.00.00.H41"),
    "status_change-acceptance_15.edxml": expect_status("15", "Văn thư đồng ý yêu cầu cập nhật, lấy lại"),
    "status_change-rejection_16.edxml": expect_status("16", "Văn thư từ chối yêu cầu cập nhật, lấy lại"),
    "status_finish_06.edxml": expect_status("06", "Văn thư: Ban hành văn bản đến, hoàn thành xử lý"),
    "status_inbox__01.edxml": expect_status(
        "01", "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"),
    "status_processing_05.edxml": expect_status("05", "Đang xử lý văn bản đến"),
    "status_rejection_02.edxml": expect_status(
        "02", "Văn thư - Phòng Văn thư - Lưu trữ: Từ chối không tiếp nhận văn bản điện tử"),
}


def test_every_sample_has_expectations():
    assert len(SAMPLES) >= 16
    assert sorted(EXPECTATIONS) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_sample(name, spool):
    assert name in EXPECTATIONS, f"{name}: add its expected values to EXPECTATIONS"
    path = INTEROP / name
    if EXPECTATIONS[name] is expect_broken:
        expect_broken(path, spool)
        assert os.listdir(spool) == []
        return
    result = edxml.read_package(path, spool_dir=spool)
    EXPECTATIONS[name](result, spool)
    kept = sorted(a.path.name for a in getattr(result, "attachments", []))
    assert sorted(os.listdir(spool)) == kept  # nothing left but the caller's files
    with open(path, "rb") as stream:  # the same from a stream as from a path
        again = edxml.read_package(stream, spool_dir=spool)
    assert _values(again) == _values(result)
    assert edxml.sniff_kind(path) == ("status" if isinstance(result, edxml.StatusPacket) else "edoc")


def _values(pkg):
    """Everything but the temp file paths."""
    from dataclasses import asdict, replace

    if isinstance(pkg, edxml.DocumentPackage):
        pkg = replace(pkg, attachments=[replace(a, path=None) for a in pkg.attachments])
    return asdict(pkg)


# --- the same package in the shapes other senders use ---------------------------------------------------

def _sdk_text():
    return SDK.read_text(encoding="utf-8")


def _rewrite_unzipped(text: str, content_type: str) -> str:
    _, _, data = independent_attachment(SDK)
    encoded = base64.encodebytes(data).decode()  # wrapped at 76 columns, as some senders do
    text = re.sub(r"(<edXML:ContentTransferEncoded[^>]*>)[^<]*(</edXML:ContentTransferEncoded>)",
                  lambda m: m[1] + encoded + m[2], text)
    return text.replace("<edXML:ContentType>application/zip</edXML:ContentType>",
                        f"<edXML:ContentType>{content_type}</edXML:ContentType>").replace(
        "<ContentType>application/zip</ContentType>", f"<ContentType>{content_type}</ContentType>")


VARIANTS = {
    "no_prefix": lambda t: t.replace("edXML:", "").replace(
        ' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', ""),
    "no_namespace": lambda t: t.replace("edXML:", "").replace(
        ' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', "").replace(
        ' xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"', ""),
    "all_prefixed": lambda t: t.replace("<AttachmentEncoded>", "<edXML:AttachmentEncoded xmlns:edXML="
                                        '"http://www.mic.gov.vn/TBT/QCVN_102_2016">').replace(
        "</AttachmentEncoded>", "</edXML:AttachmentEncoded>").replace("<Attachment>", "<edXML:Attachment>").replace(
        "</Attachment>", "</edXML:Attachment>"),
    "no_cid": lambda t: t.replace("cid:209", "209"),
    "not_zipped": lambda t: _rewrite_unzipped(t, "application/msword"),
    "dsig_signature": lambda t: t.replace("<Signature>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'),
    "crlf_and_comments": lambda t: t.replace("\n", "\r\n").replace("<edXML:Subject>",
                                                                   "<!-- c --><edXML:Subject>"),
    "unknown_elements_and_xlink": lambda t: t.replace(
        "<edXML:Reference>", '<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="">').replace(
        "<edXML:SteeringType>", "<edXML:VendorExtra><x>1</x></edXML:VendorExtra><edXML:SteeringType>"),
    "nfd_text": lambda t: t.replace("Công văn", "Co\u0302ng va\u0306n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_sdk_sample_in_other_shapes_reads_the_same(variant, spool, tmp_path):
    reference = edxml.read_package(SDK, spool_dir=spool)
    text = VARIANTS[variant](_sdk_text())
    assert text != _sdk_text()
    path = tmp_path / f"{variant}.edxml"
    path.write_bytes(text.encode("utf-8"))
    result = edxml.read_package(path, spool_dir=spool)
    expected = _values(reference)
    got = _values(result)
    if variant == "not_zipped":
        assert got["attachments"][0]["was_zipped"] is False
        assert got["attachments"][0]["content_type"] == "application/msword"
        for value in (expected, got):
            value["attachments"][0].pop("was_zipped")
            value["attachments"][0].pop("content_type")
    assert got == expected
    assert result.attachments[0].path.read_bytes() == reference.attachments[0].path.read_bytes()


def test_missing_description_and_content_type_are_tolerated(spool, tmp_path):
    text = re.sub(r"\s*<(edXML:)?(Description|ContentType)>[^<]*</(edXML:)?(Description|ContentType)>", "",
                  _sdk_text())
    path = tmp_path / "bare.edxml"
    path.write_text(text, encoding="utf-8")
    (att,) = edxml.read_package(path, spool_dir=spool).attachments
    assert att.description == "" and att.content_type == ""
    # the SDK wrapper is still recognised: a ZIP holding exactly one file
    assert att.was_zipped and att.size == 8381


def test_uuid_document_id_and_empty_optional_elements(spool, tmp_path):
    text = _sdk_text().replace("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb")
    text = text.replace("<edXML:DueDate>2019/04/11</edXML:DueDate>", "<edXML:DueDate></edXML:DueDate>")
    text = text.replace("<edXML:PageAmount>22</edXML:PageAmount>", "<edXML:PageAmount/>")
    text = text.replace("<edXML:SteeringType>1</edXML:SteeringType>", "<edXML:SteeringType> </edXML:SteeringType>"
                        "<edXML:ResponseFor><edXML:OrganId/><edXML:Code/><edXML:PromulgationDate/>"
                        "<edXML:DocumentId/></edXML:ResponseFor>")
    path = tmp_path / "uuid.edxml"
    path.write_text(text, encoding="utf-8")
    pkg = edxml.read_package(path, spool_dir=spool)
    assert pkg.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert pkg.due_date is None and pkg.page_amount is None and pkg.steering_type is None
    assert pkg.response_for == []  # an all-empty ResponseFor (as in edoc.edxml) is no reference


def test_iso_dates_are_accepted_and_impossible_dates_refused(spool, tmp_path):
    path = tmp_path / "iso.edxml"
    path.write_text(_sdk_text().replace("<edXML:PromulgationDate>2019/04/11", "<edXML:PromulgationDate>2019-04-12"),
                    encoding="utf-8")
    first = edxml.read_package(path, spool_dir=spool)
    assert first.promulgation_date == date(2019, 4, 12)
    path.write_text(_sdk_text().replace("<edXML:DueDate>2019/04/11", "<edXML:DueDate>2014/02/30"), encoding="utf-8")
    with pytest.raises(edxml.PackageError) as caught:
        edxml.read_package(path, spool_dir=spool)
    assert caught.value.code == "bad_date"
    assert "DueDate" in caught.value.message and "2014/02/30" in caught.value.message
    assert os.listdir(spool) == [first.attachments[0].path.name]  # the failed read left nothing


def test_attachment_not_in_manifest_is_kept(spool, tmp_path):
    text = re.sub(r"<edXML:edXMLManifest version=\"1.0\">.*</edXML:edXMLManifest>",
                  '<edXML:edXMLManifest version="1.0"/>', _sdk_text(), flags=re.S)
    path = tmp_path / "unlisted.edxml"
    path.write_text(text, encoding="utf-8")
    (att,) = edxml.read_package(path, spool_dir=spool).attachments
    assert att.name == VNPT_DOC and att.size == 8381
