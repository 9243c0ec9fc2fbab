"""PAdES signatures on PDFs, laid out as Decree 30/2020 Appendix I shows them (no Django here).

* :func:`sign_approval` — the competent leader's signature at approval: the (blue) signature image in
  the box between the signer's title line and their printed name, found in the text layer of the last
  page by :func:`find_signer_name` (or at a ``placement`` chosen on a page preview).
* :func:`seal_issue` — the agency's signature at issuance: the red seal at real size (36 mm) overlapping
  the left third of the leader's signature, with the agency name, the number/notation and the signing
  time (ISO 8601, Vietnam time) written under it.
* :func:`seal_annex` — the agency's signature on annexes and electronic copies: no image, a text box at
  the top right of page 1 (number and signing time; Times-like serif, 10 pt, black).

Every signature is a PAdES (``ETSI.CAdES.detached``, SHA-256) signature added as an **incremental
update**: the bytes already signed are never rewritten. ``bytes_reserved`` is always passed so pyHanko
does not sign twice to measure the signature (its "dry run").

Costs and what is cached (per process, none of it secret): a stamp font is reduced once to the
Latin/Vietnamese repertoire, rescaled to 1000 units per em (the unit of PDF glyph widths; pyHanko 0.38's own
font engine spaces fonts with another unitsPerEm wrongly, see RECIPES §2) and then embedded whole from its
cached deflated bytes by a small font engine of ours — no fontTools subsetting per signature; the images
are deflated once per PNG. The CMS container is re-used per signer key (see ``keys._CmsTemplate``).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import SigningError
from .keys import SignerKey
from .stampstyle import (
    TextBlock,
    appearance_style,
    encode_image,
    pick_font,
    stamp_font,
    text_width,
    wrap_text,
)
from .textlayer import Placement, find_signer_name
from .verify import install_pyhanko_speedups

__all__ = [
    "LEADER_FIELD_PREFIX",
    "Placement",
    "VIETNAM_TZ",
    "find_signer_name",
    "iso_vietnam",
    "seal_annex",
    "seal_issue",
    "sign_approval",
    "signature_fields",
]

logging.getLogger("fontTools").setLevel(logging.ERROR)

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
LEADER_FIELD_PREFIX = "LanhDaoKy"
SEAL_FIELD_PREFIX = "CoQuanKy"
ANNEX_FIELD_PREFIX = "CoQuanKyPhuLuc"
MM = 72 / 25.4
#: Room left under the leader's box for the signer's printed name (found by find_signer_name, the box
#: ends 2 pt above the name's capitals), before the seal's text lines start.
NAME_CLEARANCE = 19.0
SEAL_DIAMETER = 36 * MM

_SERIF_FONTS = ("/usr/share/fonts/truetype/croscore/Tinos-Regular.ttf",
                "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
_SANS_FONTS = ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
               "/usr/share/fonts/truetype/croscore/Arimo-Regular.ttf",
               "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

#: Room for the CMS container: signature, signer and chain certificates, attributes; a timestamp token
#: with its TSA certificates adds more. Grows with the embedded certificates (see _bytes_reserved).
_BASE_RESERVED = 8192
_TIMESTAMP_RESERVED = 12288




def iso_vietnam(moment: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2026-11-22T10:05:00+07:00``. Naive = Vietnam time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


# --------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------

def _open_writer(pdf: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    install_pyhanko_speedups()
    if not isinstance(pdf, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(pdf[:1024]):
        raise SigningError("Tệp không phải là PDF, không ký được.", code="not_pdf")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)))
    except Exception as exc:
        raise SigningError("Tệp PDF bị hỏng hoặc không đọc được, không ký được.", code="bad_pdf", detail=repr(exc))
    if writer.prev.encrypted:
        raise SigningError("Tệp PDF đã được mã hóa bằng mật khẩu, không ký được.", code="encrypted_pdf")
    return writer


def _page_count(reader) -> int:
    try:
        return int(reader.root["/Pages"]["/Count"])
    except Exception:
        return 0


def _page_box(reader, page_index: int) -> tuple[float, float, float, float]:
    """The visible box (CropBox, else MediaBox, inherited) of a page."""
    from pyhanko.pdf_utils import generic

    page_ref, _ = reader.find_page_for_modification(page_index)
    node = page_ref.get_object()
    for key in ("/CropBox", "/MediaBox"):
        current = node
        while current is not None:
            if key in current:
                values = [float(v) for v in current[key]]
                x0, x1 = sorted((values[0], values[2]))
                y0, y1 = sorted((values[1], values[3]))
                return x0, y0, x1, y1
            parent = current.get("/Parent")
            current = parent.get_object() if isinstance(parent, generic.IndirectObject) else parent
    return 0.0, 0.0, 595.28, 841.89


@dataclass
class SignatureField:
    name: str
    signed: bool
    page: int | None
    rect: tuple[float, float, float, float] | None


def _page_refs(reader) -> dict[tuple[int, int], int]:
    """(object number, generation) of every page → its 0-based index, in one walk of the page tree."""
    from pyhanko.pdf_utils import generic

    result: dict[tuple[int, int], int] = {}
    seen: set[tuple[int, int]] = set()
    try:
        root = reader.root.raw_get("/Pages")
    except Exception:
        return result
    stack = [root]
    while stack and len(seen) < 1_000_000:
        node_ref = stack.pop()
        if isinstance(node_ref, generic.IndirectObject):
            key = (node_ref.idnum, node_ref.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node_ref.get_object()
        else:
            key, node = None, node_ref
        if not isinstance(node, generic.DictionaryObject):
            continue
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            kids = node.raw_get("/Kids") if "/Kids" in node else []
            kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
            stack.extend(reversed(list(kids)))
        elif key is not None:
            result[key] = len(result)
    return result


def _field_names(reader) -> set[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return {str(name) for name, _, _ in enumerate_sig_fields(reader)}


def signature_fields(reader) -> list[SignatureField]:
    """Signature fields of a pyHanko reader, in document order, with their widget box and page."""
    from pyhanko.sign.fields import enumerate_sig_fields

    fields = list(enumerate_sig_fields(reader))
    page_refs = _page_refs(reader) if fields else {}
    result = []
    for name, value, field_ref in fields:
        field_obj = field_ref.get_object()
        widget = field_obj
        if "/Rect" not in widget and "/Kids" in widget:
            widget = widget["/Kids"][0].get_object()
        rect = None
        if "/Rect" in widget:
            values = [float(v) for v in widget["/Rect"]]
            rect = (min(values[0], values[2]), min(values[1], values[3]),
                    max(values[0], values[2]), max(values[1], values[3]))
        page = None
        p = widget.raw_get("/P") if "/P" in widget else None
        if p is not None and hasattr(p, "idnum"):
            page = page_refs.get((p.idnum, p.generation))
        if page is None and rect is not None:
            page = _find_annot_page(reader, page_refs, field_ref)
        result.append(SignatureField(name=str(name), signed=value is not None, page=page, rect=rect))
    return result


def _find_annot_page(reader, page_refs, field_ref) -> int | None:
    from pyhanko.pdf_utils import generic

    target = (field_ref.idnum, field_ref.generation)
    for (idnum, generation), index in page_refs.items():
        try:
            page = reader.get_object(generic.Reference(idnum, generation, reader))
            annots = page.get("/Annots", ()) or ()
            for annot in (annots.get_object() if isinstance(annots, generic.IndirectObject) else annots):
                if hasattr(annot, "idnum") and (annot.idnum, annot.generation) == target:
                    return index
        except Exception:
            continue
    return None


def _unique_field_name(reader, prefix: str) -> str:
    existing = _field_names(reader)
    if prefix not in existing:
        return prefix
    n = 2
    while f"{prefix}{n}" in existing:
        n += 1
    return f"{prefix}{n}"


def _bytes_reserved(key: SignerKey, timestamper) -> int:
    certs = [key.certificate, *key.chain]
    size = _BASE_RESERVED + 2 * sum(len(c.dump()) for c in certs)
    if timestamper is not None:
        size += _TIMESTAMP_RESERVED
    return size + size % 2


def _timestamper(timestamp_url: str | None, timestamper):
    if timestamper is not None:
        return timestamper
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(timestamp_url, timeout=15)
    return None


def _sign(pdf: bytes, key: SignerKey, *, field_name_prefix: str, placement: Placement | None, style,
          reason: str | None, location: str | None, name: str | None, timestamp_url, timestamper,
          signing_time: datetime | None = None, subfilter=None, writer=None,
          contact_info: str | None = None) -> bytes:
    from pyhanko.sign import fields, signers

    writer = writer or _open_writer(pdf)
    field_name = _unique_field_name(writer.prev, field_name_prefix)
    if placement is not None:
        pages = _page_count(writer.prev)
        if not 0 <= placement.page < max(pages, 1):
            raise SigningError("Vị trí đặt chữ ký nằm ngoài số trang của văn bản.", code="bad_placement")
        spec = fields.SigFieldSpec(field_name, on_page=placement.page,
                                   box=tuple(round(v, 2) for v in placement.as_box()))
    else:
        spec = fields.SigFieldSpec(field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=subfilter or fields.SigSeedSubFilter.PADES,
        reason=reason or None, location=location or None, name=name or None, contact_info=contact_info)
    ts = _timestamper(timestamp_url, timestamper)

    class _Signer(signers.PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            if signing_time is not None:
                session.system_time = signing_time
            return session

    pdf_signer = _Signer(meta, signer=key.signer, timestamper=ts, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    try:
        try:
            pdf_signer.sign_pdf(writer, bytes_reserved=_bytes_reserved(key, ts), output=out)
        except Exception as exc:
            if not any(hint in str(exc) for hint in ("larger than expected", "too small", "bytes_reserved")):
                raise
            writer = _open_writer(pdf)  # the writer is spent: start again with pyHanko's own estimate
            out = io.BytesIO()
            pdf_signer.sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:
        raise _signing_failure(exc)
    return out.getvalue()


def _signing_failure(exc: Exception) -> SigningError:
    from .keys import _pkcs11_error

    module = type(exc).__module__
    text = str(exc)
    if module.startswith("pkcs11"):
        return _pkcs11_error(exc)
    if "TimestampRequestError" in type(exc).__name__ or "imestamp" in text:
        return SigningError("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA).",
                            code="timestamp_failed", detail=repr(exc))
    return SigningError("Không ký được tệp PDF.", code="signing_failed", detail=repr(exc))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0)


def sign_approval(pdf: bytes, key: SignerKey, *, signer_name: str, image_png: bytes | None = None,
                  placement: Placement | None = None, reason: str = "Phê duyệt văn bản", location: str = "",
                  timestamp_url: str | None = None, timestamper=None, visible: bool = True,
                  subfilter=None, signing_time: datetime | None = None) -> bytes:
    """The competent leader's signature (PAdES B-B, or B-T with a TSA) with the signature image.

    The box comes from ``placement`` when given, else from :func:`find_signer_name`; neither →
    :class:`SigningError` (the user then picks a place on a page preview). ``image_png`` defaults to
    :func:`~congvan.signing.stamps.signature_image` of ``signer_name``. ``visible=False`` signs with no
    appearance at all (used by the benchmark and for non-Decree-30 files)."""
    signer_name = _nfc(signer_name)
    writer = _open_writer(pdf)
    style = None
    if visible:
        if placement is None:
            placement = find_signer_name(pdf, signer_name)
        if placement is None:
            raise SigningError(
                f"Không tìm thấy tên người ký “{signer_name}” trong lớp chữ của văn bản để đặt chữ ký; "
                "hãy chọn vị trí trên trang.", code="no_placement")
        if image_png is None:
            from .stamps import signature_image

            image_png = signature_image(signer_name)
        image = encode_image(image_png)
        w, h = placement.width, placement.height
        if w <= 4 or h <= 4:
            raise SigningError("Vùng đặt chữ ký quá nhỏ.", code="bad_placement")
        scale = min(w / image.width, h / image.height)
        iw, ih = image.width * scale, image.height * scale
        style = appearance_style(image=image, image_box=((w - iw) / 2, (h - ih) / 2, iw, ih))
    else:
        placement = None
    return _sign(pdf, key, field_name_prefix=LEADER_FIELD_PREFIX, placement=placement, style=style,
                 reason=reason, location=location, name=signer_name, timestamp_url=timestamp_url,
                 timestamper=timestamper, subfilter=subfilter, writer=writer,
                 signing_time=_aware(signing_time))


def _leader_field(reader) -> SignatureField | None:
    signed = [f for f in signature_fields(reader) if f.signed and f.rect is not None and f.page is not None
              and (f.rect[2] - f.rect[0]) > 1 and (f.rect[3] - f.rect[1]) > 1]
    leaders = [f for f in signed if f.name.startswith(LEADER_FIELD_PREFIX)]
    return (leaders or signed or [None])[-1]


def seal_issue(pdf: bytes, key: SignerKey, *, agency_name: str, notation: str, signed_at: datetime,
               seal_png: bytes | None = None, timestamp_url=None, timestamper=None,
               placement: Placement | None = None, parent_name: str | None = None,
               seal_diameter_mm: float = 36.0, reason: str = "Ban hành văn bản", location: str = "",
               subfilter=None) -> bytes:
    """The agency's signature at issuance, as an incremental update over the leader's signature.

    The red seal (``seal_png``, default :func:`~congvan.signing.stamps.seal_image`) at real size covers
    the left third of the leader's signature box (read from the existing signature field's /Rect); the
    agency name, the number/notation and the signing time (ISO 8601, +07:00) are written under the seal
    and below the signer's printed name (above the seal when the page ends there). The CMS signing time is ``signed_at``.
    ``placement`` overrides the leader's box (documents signed elsewhere without a visible signature)."""
    agency_name, notation = _nfc(agency_name), _nfc(notation)
    signed_at = _aware(signed_at)
    writer = _open_writer(pdf)
    reader = writer.prev
    if placement is None:
        leader = _leader_field(reader)
        if leader is None:
            raise SigningError("Văn bản chưa có chữ ký số hiển thị của người có thẩm quyền để đóng dấu lên.",
                               code="no_leader_signature")
        placement = Placement(leader.page, *leader.rect)
    page_box = _page_box(reader, placement.page)

    d = seal_diameter_mm * MM
    seal_x1 = placement.x0 + placement.width / 3
    seal_x0 = seal_x1 - d
    centre_y = (placement.y0 + placement.y1) / 2
    seal_y0, seal_y1 = centre_y - d / 2, centre_y + d / 2

    font = stamp_font(pick_font(_SERIF_FONTS))
    size, leading = 7.0, 8.4
    lines = [*wrap_text(font, agency_name, size, 1.5 * d), f"Số: {notation}", f"Thời gian ký: {iso_vietnam(signed_at)}"]
    text_w = max(text_width(font, line, size) for line in lines) + 4
    text_h = len(lines) * leading + 3
    seal_cx = (seal_x0 + seal_x1) / 2
    text_x0, text_x1 = seal_cx - text_w / 2, seal_cx + text_w / 2
    # Under the seal, but never higher than the line of the signer's printed name below the leader's box
    # (``NAME_CLEARANCE`` points), so the text does not run over the name.
    text_top = min(seal_y0 + 2, placement.y0 - NAME_CLEARANCE)
    if text_top - text_h >= page_box[1] + 4:
        text_y1 = text_top
    else:
        text_y1 = seal_y1 + text_h
    text_y0 = text_y1 - text_h
    x0, x1 = min(seal_x0, text_x0), max(seal_x1, text_x1)
    y0, y1 = min(seal_y0, text_y0), max(seal_y1, text_y1)
    # Keep the whole appearance on the page.
    dx = max(0.0, page_box[0] + 2 - x0) - max(0.0, x1 - (page_box[2] - 2))
    dy = max(0.0, page_box[1] + 2 - y0) - max(0.0, y1 - (page_box[3] - 2))
    box = Placement(placement.page, x0 + dx, y0 + dy, x1 + dx, y1 + dy)

    if seal_png is None:
        from .stamps import seal_image

        seal_png = seal_image(agency_name, parent_name)
    image = encode_image(seal_png)
    text = TextBlock(lines=tuple(lines), font_path=font.path, size=size, x=seal_cx - x0,
                      top=text_y1 - y0 - 1, align="center", leading=leading)
    style = appearance_style(image=image, image_box=(seal_x0 - x0, seal_y0 - y0, d, d), text=text)
    return _sign(pdf, key, field_name_prefix=SEAL_FIELD_PREFIX, placement=box, style=style, reason=reason,
                 location=location, name=agency_name, timestamp_url=timestamp_url, timestamper=timestamper,
                 signing_time=signed_at, subfilter=subfilter, writer=writer)


def seal_annex(pdf: bytes, key: SignerKey, *, agency_name: str, notation: str, signed_at: datetime,
               timestamp_url=None, timestamper=None, reason: str = "Ban hành văn bản", location: str = "",
               font_size: float = 10.0, show_agency: bool = False, subfilter=None) -> bytes:
    """The agency's signature with no image, for annexes in separate files and electronic copies: a text
    box at the top right of page 1, inside the top margin — the number/notation and the signing time
    (ISO 8601, +07:00), Decree 30 style (Times New Roman-like serif, 10 pt, upright, black).
    ``show_agency`` adds the agency name as a first line (the name is always in the signature itself)."""
    agency_name, notation = _nfc(agency_name), _nfc(notation)
    signed_at = _aware(signed_at)
    writer = _open_writer(pdf)
    left, bottom, right, top = _page_box(writer.prev, 0)
    font = stamp_font(pick_font(_SERIF_FONTS))
    size = font_size
    leading = size * 1.15
    lines = [*(wrap_text(font, agency_name, size, 220) if show_agency else []), f"Số: {notation}",
             f"Thời gian ký: {iso_vietnam(signed_at)}"]
    width = max(text_width(font, line, size) for line in lines) + 6
    height = len(lines) * leading + 3
    margin_x, margin_y = 15 * MM, 4 * MM
    x1 = right - margin_x
    y1 = top - margin_y
    box = Placement(0, max(left + 2, x1 - width), y1 - height, x1, y1)
    text = TextBlock(lines=tuple(lines), font_path=font.path, size=size, x=box.width - 3, top=height - 1,
                      align="right", leading=leading)
    style = appearance_style(text=text)
    return _sign(pdf, key, field_name_prefix=ANNEX_FIELD_PREFIX, placement=box, style=style, reason=reason,
                 location=location, name=agency_name, timestamp_url=timestamp_url, timestamper=timestamper,
                 signing_time=signed_at, subfilter=subfilter, writer=writer)
