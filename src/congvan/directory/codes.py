"""Agency identifier codes (mã định danh), QCVN 102:2016 and QĐ 20/2020/QĐ-TTg.

Legacy codes are ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` (13 characters, read right to left: level 1 is the last
group). As in STANDARDS.md's examples, a department is ``000.YY.00.H21`` and a body under it
``000.YY.ZZ.H21``: the second group is level 2, the third level 3, the first level 4.
Since 2022 a code may be any dot-separated string of ``0-9A-Z`` up to 35 characters.
"""

import re
from dataclasses import dataclass

LEGACY_RE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$")
GENERIC_RE = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
MAX_LENGTH = 35


class AgencyCodeError(ValueError):
    pass


@dataclass(frozen=True)
class LegacyCode:
    level4: str
    level2: str
    level3: str
    level1: str

    @property
    def level(self) -> int:
        """1 for a level-1 body (000.00.00.H21), 2 for a department (000.05.00.H21), and so on."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1

    @property
    def parent_code(self) -> str | None:
        """The code of the body one level up, by the zero rule; None for level 1."""
        level = self.level
        if level == 1:
            return None
        if level == 2:
            return f"000.00.00.{self.level1}"
        if level == 3:
            return f"000.{self.level2}.00.{self.level1}"
        return f"000.{self.level2}.{self.level3}.{self.level1}"

    def __str__(self) -> str:
        return f"{self.level4}.{self.level2}.{self.level3}.{self.level1}"


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def looks_legacy(code: str) -> bool:
    """Four groups shaped 3.2.2.3 — then it must obey the legacy pattern exactly."""
    parts = normalize_code(code).split(".")
    return len(parts) == 4 and [len(p) for p in parts] == [3, 2, 2, 3]


def validate_agency_code(code: str) -> str:
    """Return the normalised code or raise AgencyCodeError with a message for the user (Vietnamese)."""
    value = normalize_code(code)
    if not value:
        raise AgencyCodeError("Mã định danh không được để trống.")
    if len(value) > MAX_LENGTH:
        raise AgencyCodeError(f"Mã định danh dài tối đa {MAX_LENGTH} ký tự.")
    if looks_legacy(value):
        if not LEGACY_RE.match(value):
            raise AgencyCodeError(
                "Mã định danh dạng cũ phải có dạng 000.00.00.H21 (ba nhóm số và một chữ cái kèm hai chữ số)."
            )
        return value
    if not GENERIC_RE.match(value):
        raise AgencyCodeError("Mã định danh chỉ gồm chữ số, chữ cái A-Z và dấu chấm giữa các nhóm.")
    return value


def parse_legacy(code: str) -> LegacyCode:
    match = LEGACY_RE.match(normalize_code(code))
    if not match:
        raise AgencyCodeError(f"{code!r} không phải mã định danh dạng QCVN 102:2016.")
    return LegacyCode(*match.groups())
