"""`congvan exchange pack` / `unpack`: the operator's tools for interoperability work with other vendors."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.exchange.conftest import VPCP

pytestmark = pytest.mark.django_db
INTEROP = Path("/work/shared/interop/edxml")


def unpack(path) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("exchange", "unpack", str(path), stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, json.loads(err.getvalue())
    return 0, json.loads(out.getvalue())


def test_pack_then_unpack_gives_back_the_documents_fields(node, issue_document, tmp_path):
    doc = issue_document(recipients=(VPCP, "000.05.00.H21"), subject="Về việc kiểm thử gói tin edXML")
    target = tmp_path / "out.edxml"
    call_command("exchange", "pack", str(doc.pk), "--recipient", VPCP, "-o", str(target), stdout=io.StringIO())
    code, fields = unpack(target)
    assert code == 0
    assert fields["From"] == "000.00.00.H21" and fields["To"] == [VPCP]
    assert fields["DocumentId"] == doc.exchange_id and fields["DocumentId"].endswith("," + doc.notation)
    assert f"{fields['CodeNumber']}/{fields['CodeNotation']}" == doc.notation
    assert fields["Subject"] == "Về việc kiểm thử gói tin edXML" and fields["TypeName"] == "Công văn"
    assert fields["BussinessDocType"] == 0 and fields["Signed"] is True
    [attachment] = fields["attachments"]
    main = doc.main_file
    assert (attachment["name"], attachment["size"], attachment["sha256"]) == (main.name, main.size, main.sha256)


def test_unpack_the_vendor_sdk_sample(db):
    code, fields = unpack(INTEROP / "sdk_output_edoc_zip_attachment.edxml")
    assert code == 0
    assert fields["From"] == "000.00.00.G22"
    assert fields["To"] == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
    assert (fields["CodeNumber"], fields["CodeNotation"]) == ("7816", "VPCP-TTĐT")
    assert (fields["PromulgationDate"], fields["SteeringType"], fields["Priority"]) == ("2019/04/11", 1, 0)
    [attachment] = fields["attachments"]
    assert attachment["name"] == "1896_QD-TTg_m_294779.doc" and attachment["zipped"] is True
    assert len(attachment["sha256"]) == 64 and attachment["size"] > 0


def test_unpack_a_status_packet(db):
    code, fields = unpack(INTEROP / "status_rejection_02.edxml")
    assert code == 0 and fields["kind"] == "status" and fields["StatusCode"] == "02"
    assert fields["DocumentId"] == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"


def test_unpack_refuses_the_broken_package_with_its_reason(db):
    code, error = unpack(INTEROP / "edoc.edxml")
    assert code == 1
    assert error["error"]["code"] == "not_well_formed" and "dòng" in error["error"]["message"]


def test_pack_refuses_what_cannot_travel(node, issue_document, tmp_path):
    from django.core.management.base import CommandError

    doc = issue_document(recipients=(VPCP,))
    with pytest.raises(CommandError, match="000.00.00.X99"):
        call_command("exchange", "pack", str(doc.pk), "--recipient", "000.00.00.X99", "-o", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Không có văn bản"):
        call_command("exchange", "pack", "999999", "-o", str(tmp_path / "y"))
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
