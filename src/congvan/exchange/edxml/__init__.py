"""The edXML codec (QCVN 102:2016): model, streaming reader and writer, package signatures.

Pure Python + lxml + cryptography: no Django import anywhere in this package.
"""

from .dsig import NodeSigner, SignatureCheck, generate_node_identity, verify_file
from .errors import Limits, PackageError
from .model import (
    DSIG_NS,
    EDXML_NS,
    STATUS_CODES,
    Attachment,
    Business,
    BusinessDocType,
    DocumentPackage,
    Organization,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    StaffInfo,
    StatusPacket,
    TraceHeader,
    make_document_id,
)
from .reader import read_package, sniff_kind
from .writer import document_bytes, status_bytes, write_document, write_status

__all__ = [
    "DSIG_NS", "EDXML_NS", "STATUS_CODES", "Attachment", "Business", "BusinessDocType", "DocumentPackage",
    "Limits", "NodeSigner", "Organization", "PackageError", "Receiver", "ReplacementInfo", "ResponseFor",
    "SignatureCheck", "StaffInfo", "StatusPacket", "TraceHeader", "document_bytes", "generate_node_identity",
    "make_document_id", "read_package", "sniff_kind", "status_bytes", "verify_file", "write_document",
    "write_status",
]
