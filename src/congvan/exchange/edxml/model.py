"""The values an edXML package (QCVN 102:2016) carries, as plain dataclasses.

Reading gives every text field NFC-normalised and stripped; dates are ``date``, timestamps naive
``datetime`` in the sender's local time exactly as written (``yyyy/MM/dd HH:mm:ss``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

# 07–12 and 14 are unused by the standard.
STATUS_CODES = {"01", "02", "03", "04", "05", "06", "13", "15", "16"}


def nfc(value) -> str:
    """NFC-normalised, stripped text ("" for None)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


@dataclass
class Organization:
    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass
class ResponseFor:
    organ_id: str = ""
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


@dataclass
class Receiver:
    organ_id: str
    receiver_type: int = 0


@dataclass
class ReplacementInfo:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


class BusinessDocType(IntEnum):
    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


@dataclass
class Business:
    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str = ""
    document_id: str = ""
    paper: bool = False
    staff: StaffInfo | None = None
    document_info: bool | None = None
    document_receiver: bool | None = None
    receivers: list[Receiver] = field(default_factory=list)
    replacements: list[ReplacementInfo] = field(default_factory=list)


@dataclass
class TraceHeader:
    organ_id: str
    timestamp: datetime


@dataclass
class Attachment:
    content_id: str
    """Without the ``cid:`` prefix (the writer adds it)."""
    name: str
    """AttachmentName."""
    description: str = ""
    content_type: str = ""
    """The ContentType as written in the package (``application/zip`` for an SDK-zipped file)."""
    source: Callable[[], BinaryIO] | None = None
    """Writing: returns a fresh binary stream of the file (``path`` is used when it is None)."""
    zip_on_write: bool = False
    """Writing: wrap the file in a one-member ZIP like the VNPT SDK does."""
    path: Path | None = None
    """Reading: the decoded (and unzipped) file; a temp file the caller owns after a successful read."""
    size: int = 0
    sha256: str = ""
    was_zipped: bool = False


@dataclass
class DocumentPackage:
    from_: Organization
    to: list[Organization]
    document_id: str
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: date | None = None
    type: int | None = None
    type_detail: str = ""
    type_name: str = ""
    subject: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_full_name: str = ""
    due_date: date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: int | None = None
    business: Business = field(default_factory=Business)
    traces: list[TraceHeader] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    signed: bool = False
    """Reading: a Signature element was present (in the XML-DSig namespace or not)."""


@dataclass
class StatusPacket:
    from_: Organization
    response_for: ResponseFor
    status_code: str
    """Two digits, one of STATUS_CODES."""
    description: str = ""
    timestamp: datetime | None = None
    staff: StaffInfo | None = None
    signed: bool = False


def format_date(value: date) -> str:
    """``yyyy/MM/dd`` (zero-padded whatever the year)."""
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: datetime) -> str:
    """``yyyy/MM/dd HH:mm:ss``."""
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"


def make_document_id(organ_id: str, promulgation_date: date, notation: str) -> str:
    """The global key of a document: ``"{sender code},{yyyy/MM/dd},{số/ký hiệu}"``,
    e.g. ``000.00.00.G22,2015/09/30,7816/VPCP-TTĐT``."""
    return f"{nfc(organ_id)},{format_date(promulgation_date)},{nfc(notation)}"
