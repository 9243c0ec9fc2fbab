"""Attachment content on disk: incremental base64 decoding and guarded unzipping.

Every temp file is registered with a ``Spool``; on failure the reader deletes them all, on success
it deletes those no attachment kept.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import Limits, PackageError, human_size

ZIP_MAGIC = b"PK\x03\x04"
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"}
RATIO_FLOOR = 1024 * 1024  # below this much output the compression ratio is not checked
CHUNK = 1024 * 1024
_WHITESPACE = str.maketrans("", "", " \t\r\n")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


class Spool:
    def __init__(self, directory: str | Path, limits: Limits):
        self.directory = Path(directory)
        self.limits = limits
        self.paths: list[Path] = []
        self.blobs: list[Blob] = []

    def new_path(self, prefix: str) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=self.directory)
        path = Path(name)
        self.paths.append(path)
        return fd, path

    def new_blob(self, label: str) -> Blob:
        if len(self.blobs) >= self.limits.max_attachments:
            raise PackageError("too_large", f"Gói tin có hơn {self.limits.max_attachments} tệp đính kèm.",
                               limit="max_attachments", value=self.limits.max_attachments)
        fd, path = self.new_path("edxml-att-")
        blob = Blob(os.fdopen(fd, "wb"), path, self.limits.max_attachment_bytes, label)
        self.blobs.append(blob)
        return blob

    def discard(self, path: Path) -> None:
        if path in self.paths:
            self.paths.remove(path)
        path.unlink(missing_ok=True)

    def cleanup(self, keep: set[Path] = frozenset()) -> None:
        for blob in self.blobs:
            blob.close()
        for path in list(self.paths):
            if path not in keep:
                path.unlink(missing_ok=True)
        self.paths = [p for p in self.paths if p in keep]


class Blob:
    """One ContentTransferEncoded: base64 text in, bytes on disk, hashed and counted on the way."""

    def __init__(self, handle, path: Path, limit: int, label: str):
        self.handle = handle
        self.path = path
        self.limit = limit
        self.label = label
        self.pending = ""
        self.padded = False
        self.size = 0
        self.head = b""
        self.hash = hashlib.sha256()
        self.finished = False

    def bad(self, why: str) -> PackageError:
        return PackageError("bad_base64", f"Nội dung tệp đính kèm {self.label} không phải base64 hợp lệ: {why}.",
                            attachment=self.label)

    def feed(self, text: str) -> None:
        text = text.translate(_WHITESPACE)
        if not text:
            return
        if self.padded:
            raise self.bad("có dữ liệu sau ký tự đệm '='")
        buffer = self.pending + text if self.pending else text
        usable = len(buffer) - len(buffer) % 4
        self.pending = buffer[usable:]
        if not usable:
            return
        piece = buffer[:usable]
        try:
            raw = binascii.a2b_base64(piece, strict_mode=True)
        except (binascii.Error, ValueError):
            if _NOT_BASE64.search(piece):
                raise self.bad("có ký tự ngoài bảng mã base64")
            if piece[piece.find("="):].strip("="):
                raise self.bad("có dữ liệu sau ký tự đệm '='")
            raise self.bad("ký tự đệm '=' đặt sai chỗ")
        if piece.endswith("="):
            self.padded = True
            if self.pending:
                raise self.bad("có dữ liệu sau ký tự đệm '='")
        self.size += len(raw)
        if self.size > self.limit:
            raise PackageError("too_large", f"Tệp đính kèm {self.label} vượt quá giới hạn {human_size(self.limit)}.",
                               limit="max_attachment_bytes", value=self.limit, attachment=self.label)
        if len(self.head) < 4:
            self.head = (self.head + raw[:4])[:4]
        self.hash.update(raw)
        self.handle.write(raw)

    def finish(self) -> None:
        if self.pending:
            raise self.bad("dữ liệu bị cắt cụt (độ dài không chia hết cho 4)")
        self.close()
        self.finished = True

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.close()


@dataclass
class Content:
    path: Path
    size: int
    sha256: str
    was_zipped: bool


def _member_name(info: zipfile.ZipInfo) -> str:
    return unicodedata.normalize("NFC", info.filename.replace("\\", "/").rsplit("/", 1)[-1])


def unwrap(blob: Blob, spool: Spool, name: str, content_type: str) -> Content:
    """The attachment's file: the decoded bytes, or the file inside the ZIP the sender wrapped it in.

    A ZIP is unwrapped when the bytes start with ``PK\\x03\\x04``, the name does not end with ``.zip``
    and either the ContentType says ZIP (the SDK's wrapper: it must then hold one file, or up to
    ``max_zip_members`` with one named AttachmentName) or the archive holds exactly one file. A ZIP
    with several files and a non-ZIP ContentType is a container format (docx, xlsx, odt…) and is kept.
    """
    as_is = Content(blob.path, blob.size, blob.hash.hexdigest(), False)
    if not blob.head.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
        return as_is
    declared_zip = content_type.strip().lower() in ZIP_TYPES
    limits = spool.limits

    def bad(why: str) -> PackageError:
        return PackageError("bad_zip", f"Tệp nén của tệp đính kèm {name} không dùng được: {why}.", attachment=name)

    try:
        archive = zipfile.ZipFile(blob.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        if declared_zip:
            raise bad(f"tệp ZIP hỏng ({exc})")
        return as_is
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not declared_zip and len(members) != 1:
            return as_is
        if not members:
            raise bad("tệp ZIP không chứa tệp nào")
        if len(members) > limits.max_zip_members:
            raise bad(f"tệp ZIP chứa {len(members)} tệp, chỉ chấp nhận {limits.max_zip_members}")
        member = members[0]
        if len(members) > 1:
            named = [m for m in members if _member_name(m) == unicodedata.normalize("NFC", name)]
            if len(named) != 1:
                raise bad(f"tệp ZIP chứa {len(members)} tệp nhưng không có tệp nào tên {name}")
            member = named[0]
        if member.flag_bits & 0x1:
            raise bad("tệp trong ZIP được mã hóa (có mật khẩu)")
        compressed = max(1, min(member.compress_size, blob.size))
        if member.file_size > limits.max_attachment_bytes:
            raise PackageError("zip_bomb", f"Tệp nén {name} khai báo {human_size(member.file_size)} khi giải nén, "
                               f"vượt giới hạn {human_size(limits.max_attachment_bytes)}.",
                               attachment=name, declared=member.file_size)
        if member.file_size > RATIO_FLOOR and member.file_size > limits.max_zip_ratio * compressed:
            raise PackageError("zip_bomb", f"Tệp nén {name} có tỉ lệ nén bất thường "
                               f"({member.file_size // compressed}:1, giới hạn {limits.max_zip_ratio}:1).",
                               attachment=name, declared=member.file_size)
        fd, path = spool.new_path("edxml-unz-")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out, archive.open(member) as src:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if size > limits.max_attachment_bytes or (
                            size > RATIO_FLOOR and size > limits.max_zip_ratio * compressed):
                        raise PackageError("zip_bomb", f"Tệp nén {name} giải nén ra vượt giới hạn "
                                           f"{human_size(limits.max_attachment_bytes)} hoặc tỉ lệ nén "
                                           f"{limits.max_zip_ratio}:1.", attachment=name)
                    digest.update(chunk)
                    out.write(chunk)
        except PackageError:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise bad(f"không giải nén được ({exc})")
    spool.discard(blob.path)
    return Content(path, size, digest.hexdigest(), True)
