"""Why a package is refused (a machine code plus a Vietnamese reason), and the reader's limits."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


def human_size(value: int) -> str:
    """A limit as a person reads it: "512 MiB", "1,5 MiB" or "1000 byte"."""
    if value >= MiB:
        text = f"{value / MiB:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text} MiB"
    return f"{value} byte"


class PackageError(ValueError):
    """A package that cannot be accepted.

    ``code`` is a stable machine code (``not_well_formed``, ``dtd_forbidden``, ``not_edxml``,
    ``missing_element``, ``bad_date``, ``bad_value``, ``bad_status``, ``bad_base64``,
    ``attachment_missing``, ``bad_attachment``, ``bad_zip``, ``zip_bomb``, ``too_large``, …);
    ``message`` is the precise reason in Vietnamese for a person; ``detail`` carries the facts
    (line/column, element path, limit name and value …).
    """

    def __init__(self, code: str, message: str, **detail):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __repr__(self) -> str:
        return f"PackageError({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class Limits:
    """What the reader accepts. Every limit is checked while streaming, before it is exceeded by much.

    Zip handling (``max_zip_members``): the VNPT SDK wraps every attachment in a ZIP holding exactly one
    file (named by a UUID, not by AttachmentName). With the default of 1 such a wrapper must hold one
    file; with a larger value the member whose name equals AttachmentName is taken. ``max_zip_ratio``
    is enforced once the unzipped output passes 1 MiB, so tiny highly compressible files are not refused.
    """

    max_package_bytes: int = 512 * MiB
    max_attachment_bytes: int = 300 * MiB
    max_attachments: int = 100
    max_zip_ratio: int = 100
    max_zip_members: int = 1
    max_header_bytes: int = 2 * MiB
