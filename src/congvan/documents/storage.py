"""Content-addressed file store: a file is kept once under its SHA-256 and never rewritten."""

import hashlib
import os
import uuid
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from congvan.documents.models import Blob
from congvan.errors import ServiceError

CHUNK = 1024 * 1024


class FileTooLarge(ValueError):
    pass


class BlobCorrupted(ServiceError):
    """The bytes on disk no longer match their SHA-256."""

    code = "file_corrupted"
    http_status = 409


def blob_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "blobs" / sha256[:2] / sha256[2:4] / sha256


def store_stream(stream: BinaryIO, max_size: int | None = None, check=None, save: bool = True) -> Blob:
    """Copy a stream to the store while hashing it; stop early if it grows past ``max_size``.

    ``check(handle)`` may refuse the content by raising, before it enters the store (no file is left).
    ``save=False`` leaves the Blob row to the caller, who inserts it together with its own rows."""
    max_size = settings.MAX_UPLOAD_SIZE if max_size is None else max_size
    root = Path(settings.MEDIA_ROOT) / "blobs"
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    tmp_name = str(root / f".incoming-{uuid.uuid4().hex}")
    fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as tmp:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_size:
                    raise FileTooLarge(
                        f"Tệp vượt quá dung lượng cho phép ({max_size // (1024 * 1024)} MB)."
                    )
                digest.update(chunk)
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        if check is not None:
            with open(tmp_name, "rb") as handle:
                check(handle)
        sha256 = digest.hexdigest()
        target = blob_path(sha256)
        if target.exists():
            os.unlink(tmp_name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    blob = Blob(sha256=sha256, size=size)
    if save:
        Blob.objects.bulk_create([blob], ignore_conflicts=True)  # one INSERT … ON CONFLICT DO NOTHING
    return blob


def store_bytes(data: bytes) -> Blob:
    import io

    return store_stream(io.BytesIO(data), max_size=max(len(data), 1))


def open_blob(blob: Blob) -> BinaryIO:
    return open(blob_path(blob.sha256), "rb")


def read_verified(blob: Blob) -> bytes:
    """Read the whole file and check its hash: used where it matters (issuing, sending)."""
    data = blob_path(blob.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != blob.sha256:
        raise BlobCorrupted(f"Tệp {blob.sha256[:12]}… đã bị thay đổi trên đĩa.")
    return data
