"""The province's rule for checking the agency mailbox, and whether a day's checks meet it (no Django here).

Gia Lai (Công văn 1468/UBND-VHXH, 2014): at least twice per half day, at the start and after the middle
of each half day. Thái Nguyên (Chỉ thị on official e-mail): at least five times a day — start and middle
of the morning, start, middle and end of the afternoon. A rule is either a number of checks per working
day, or time windows that each need one check.
"""

from dataclasses import dataclass
from datetime import time

PRESETS = {
    "gialai": "windows:07:00-08:30,09:15-11:30,13:00-14:30,15:15-17:00",
    "thainguyen": "windows:07:00-08:30,09:15-10:45,13:00-14:15,14:45-15:45,16:00-17:00",
}


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    count: int = 0  # "count:N": at least N checks a working day
    windows: tuple[tuple[time, time], ...] = ()  # "windows:…": one check in each window
    name: str = ""

    @property
    def required(self) -> int:
        return len(self.windows) if self.windows else self.count


def _time(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise RuleError(f"Giờ không hợp lệ: {text!r} (dạng HH:MM).") from None


def parse_rule(text: str) -> Rule:
    """``gialai`` | ``thainguyen`` | ``count:N`` | ``windows:HH:MM-HH:MM,…``."""
    name = (text or "").strip().lower()
    spec = PRESETS.get(name, name)
    kind, _, value = spec.partition(":")
    if kind == "count":
        try:
            count = int(value)
        except ValueError:
            count = 0
        if not 1 <= count <= 48:
            raise RuleError("Số lần kiểm tra mỗi ngày phải từ 1 đến 48.")
        return Rule(count=count, name=name)
    if kind == "windows":
        windows = []
        for part in value.split(","):
            start, sep, end = part.partition("-")
            if not sep:
                raise RuleError(f"Khung giờ không hợp lệ: {part!r} (dạng 07:00-08:30).")
            window = (_time(start), _time(end))
            if window[0] >= window[1]:
                raise RuleError(f"Khung giờ {part!r}: giờ bắt đầu phải trước giờ kết thúc.")
            windows.append(window)
        if not windows:
            raise RuleError("Cần ít nhất một khung giờ kiểm tra.")
        return Rule(windows=tuple(sorted(windows)), name=name)
    raise RuleError(f"Quy định kiểm tra hộp thư không hợp lệ: {text!r} "
                    "(gialai, thainguyen, count:N hoặc windows:HH:MM-HH:MM,…).")


def windows_met(rule: Rule, times: list[time]) -> list[bool]:
    """For a windows rule: whether each window saw a check."""
    return [any(start <= t <= end for t in times) for start, end in rule.windows]


def met(rule: Rule, times: list[time]) -> bool:
    """Whether the checks of one working day (their local times) satisfy the rule."""
    if rule.windows:
        return all(windows_met(rule, times))
    return len(times) >= rule.count
