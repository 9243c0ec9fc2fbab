"""Reading received mail (pure, no database): encodings, attachments, hostile structure, DSNs."""

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from congvan.mail import mime
from congvan.text.legacy import encode_cp1258 as cp1258
from tests.mail.conftest import message


def test_vietnamese_subject_sender_and_utf8_attachment_name():
    raw = message(attachments=[("Công văn 1468 ký số.pdf", b"%PDF-1.7 test", "application/pdf")])
    parsed = mime.parse(raw)
    assert parsed.readable and not parsed.problems
    assert parsed.subject == "Công văn số 1468/UBND-VHXH về việc sử dụng hộp thư điện tử công vụ"
    assert (parsed.from_name, parsed.from_address) == ("Văn phòng Chính phủ", "vpcp@chinhphu.example")
    assert parsed.text == "Kính gửi Ủy ban nhân dân tỉnh."
    [attachment] = parsed.attachments
    assert attachment.name == "Công văn 1468 ký số.pdf" and attachment.data == b"%PDF-1.7 test"


def test_raw_8bit_subject_in_windows_1258_is_decoded_to_nfc():
    subject = "Thông báo hỏa tốc về việc kiểm tra hộp thư"
    raw = (b"From: " + cp1258("Sở Y tế") + b" <soyte@gialai.example>\r\nSubject: " + cp1258(subject) +
           b"\r\nContent-Type: text/plain\r\n\r\n" + cp1258("Nội dung") + b"\r\n")
    parsed = mime.parse(raw)
    assert parsed.subject == subject and parsed.from_name == "Sở Y tế"
    assert parsed.text == "Nội dung"


def test_encoded_word_in_a_charset_python_lacks_does_not_break_the_subject():
    raw = b"From: a@b.example\r\nSubject: =?x-vni?b?" + base64.b64encode(b"Th\xf4ng ba\xf9o") + b"?=\r\n\r\nx"
    parsed = mime.parse(raw)
    assert parsed.readable and parsed.subject  # decoded as well as possible, never an exception


def test_pdf_sent_as_octet_stream_is_recognised():
    assert mime.sniff_content_type("x.bin", "application/octet-stream", b"%PDF-1.4") == "application/pdf"
    assert mime.sniff_content_type("bao-cao.pdf", "application/octet-stream", b"junk") == "application/pdf"
    assert mime.sniff_content_type("bang.xlsx", "application/octet-stream", b"PK") == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_executables_are_named_by_extension_content_or_archive():
    import io
    import zipfile

    assert "chương trình" in mime.executable_reason("setup.exe", b"anything")
    assert "chương trình" in mime.executable_reason("bao-cao.pdf", b"MZ\x90\x00")  # a disguised program
    assert "chương trình" in mime.executable_reason("run.txt", b"#!/bin/sh\nrm -rf /")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hoa-don.pdf.scr", b"x")
    assert "tệp nén" in mime.executable_reason("hoa-don.zip", buffer.getvalue())
    assert mime.executable_reason("quyet-dinh.pdf", b"%PDF-1.7") == ""


def test_broken_multipart_and_base64_are_read_with_the_problem_named():
    raw = (b"From: a@b.example\r\nSubject: test\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
           b"--XX\r\nContent-Type: text/plain\r\n\r\nbody\r\n--XX\r\nContent-Type: application/pdf; name=a.pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x!!!not base64")
    parsed = mime.parse(raw)
    assert parsed.text == "body" and parsed.attachments[0].name == "a.pdf"
    assert any("MIME bị lỗi" in p for p in parsed.problems)


def test_garbage_is_not_a_message():
    parsed = mime.parse(b"\x00\x01\x02 this is not mail at all")
    assert not parsed.readable and parsed.problems


def test_nesting_beyond_the_limit_is_cut_not_crashed():
    inner = b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    for depth in range(60):
        inner = (f"Content-Type: multipart/mixed; boundary=b{depth}\r\n\r\n--b{depth}\r\n".encode() + inner +
                 f"\r\n--b{depth}--\r\n".encode())
    parsed = mime.parse(b"From: a@b.example\r\nSubject: deep\r\n" + inner)
    assert any("sâu" in p for p in parsed.problems)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_parsed_without_an_exception(data):
    parsed = mime.parse(b"Subject: fuzz\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n" + data)
    assert isinstance(parsed.subject, str)


def dsn(original_id="<abc@mail.gialai.example>", action="failed", status="5.1.1"):
    return (f"From: MAILER-DAEMON@mx.example\r\nTo: bounces+x@gialai.example\r\nSubject: Undelivered\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n"
            f"--R\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
            f"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
            f"Final-Recipient: rfc822; an.nguyen@example.com\r\nAction: {action}\r\nStatus: {status}\r\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
            f"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original_id}\r\nSubject: x\r\n\r\n"
            f"--R--\r\n").encode()


def test_delivery_status_notification_is_read():
    report = mime.parse_dsn(mime.parse(dsn()).message)
    [recipient] = report.recipients
    assert recipient.address == "an.nguyen@example.com" and recipient.failed
    assert recipient.status == "5.1.1" and recipient.diagnostic == "550 5.1.1 User unknown"
    assert report.original_message_id == "<abc@mail.gialai.example>"
    assert mime.parse_dsn(mime.parse(message()).message) is None
    delayed = mime.parse_dsn(mime.parse(dsn(action="delayed", status="4.4.1")).message)
    assert not delayed.recipients[0].failed
