"""The pure parts of the reports: periods, percentiles from a histogram, the administrative heading and
the SVG charts (no database)."""

from datetime import date
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congvan.reports import charts, heading, periods

SVG = "{http://www.w3.org/2000/svg}"


def test_periods_and_their_split():
    q1 = periods.quarter(2026, 1)
    assert (q1.start, q1.end, q1.days) == (date(2026, 1, 1), date(2026, 3, 31), 90)
    assert periods.month(2024, 2).end == date(2024, 2, 29)
    assert periods.quarter(2026, 4).end == date(2026, 12, 31)
    split = periods.split(periods.custom(date(2026, 1, 15), date(2026, 4, 10)))
    assert split.full_months == (date(2026, 2, 1), date(2026, 3, 1))
    assert split.edges == ((date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 10)))
    assert periods.split(periods.year(2026)).edges == ()
    inside = periods.split(periods.custom(date(2026, 5, 3), date(2026, 5, 9)))
    assert inside.full_months == () and inside.edges == ((date(2026, 5, 3), date(2026, 5, 9)),)
    for bad in (lambda: periods.quarter(2026, 5), lambda: periods.month(2026, 13), lambda: periods.year(1999),
                lambda: periods.custom(date(2026, 2, 1), date(2026, 1, 1))):
        with pytest.raises(periods.PeriodError):
            bad()


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 800))
def test_split_covers_every_day_once(start, length):
    from datetime import timedelta

    period = periods.custom(start, start + timedelta(days=length))
    split = periods.split(period)
    days = set()
    for first in split.full_months:
        last = periods.month_end(first)
        days |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    for lo, hi in split.edges:
        assert lo.month == hi.month and lo.year == hi.year
        days |= {lo + timedelta(days=n) for n in range((hi - lo).days + 1)}
    assert len(days) == period.days and min(days) == period.start and max(days) == period.end


def test_median_and_percentile_from_a_histogram():
    assert periods.median_from_histogram({}) is None
    assert periods.median_from_histogram({0: 1, 1: 1, 2: 1, 3: 1, 10: 2}) == 2.5
    assert periods.median_from_histogram({4: 3}) == 4.0
    assert periods.percentile_from_histogram({0: 1, 1: 1, 2: 1, 3: 1, 10: 2}, 90) == 10.0
    assert periods.percentile_from_histogram({1: 90, 50: 10}, 90) == 1.0
    assert periods.percentile_from_histogram({1: 89, 50: 11}, 90) == 50.0


def test_heading_of_each_kind_of_agency():
    assert heading.heading_lines("Ủy ban nhân dân tỉnh Gia Lai", None, "Gia Lai") == ("ỦY BAN NHÂN DÂN",
                                                                                       "TỈNH GIA LAI")
    assert heading.heading_lines("Sở Nội vụ tỉnh Gia Lai", "Ủy ban nhân dân tỉnh Gia Lai", "Gia Lai") == (
        "UBND TỈNH GIA LAI", "SỞ NỘI VỤ")
    assert heading.heading_lines("Ủy ban nhân dân xã Đức Cơ", "Ủy ban nhân dân tỉnh Gia Lai", "Gia Lai") == (
        "ỦY BAN NHÂN DÂN", "XÃ ĐỨC CƠ")
    assert heading.heading_lines("Văn phòng Chính phủ", None, "Gia Lai") == ("", "VĂN PHÒNG CHÍNH PHỦ")
    assert heading.date_line("Gia Lai", date(2026, 12, 1)) == "Gia Lai, ngày 01 tháng 12 năm 2026"
    assert heading.date_line("Pleiku", date(2026, 2, 15)) == "Pleiku, ngày 15 tháng 02 năm 2026"
    assert heading.date_line("Gia Lai", date(2026, 3, 9)) == "Gia Lai, ngày 09 tháng 3 năm 2026"


def parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def texts(root) -> list[str]:
    return [t.text for t in root.iter(SVG + "text")]


def test_bar_chart_escapes_labels_and_shows_missing_values():
    root = parse(charts.bar_chart([("Sở <Nội> vụ & Y tế", 72.5), ("Xã Đức Cơ", None)], "Tỷ lệ điện tử",
                                  max_value=100))
    assert "Sở <Nội> vụ & Y tế" in texts(root) and "72,5%" in texts(root) and "—" in texts(root)
    assert root.find(SVG + "title").text == "Tỷ lệ điện tử"
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect") if r.get("fill") == charts.PALETTE[0]]
    assert len(widths) == 1 and 0 < widths[0] < float(root.get("width"))


def test_line_chart_breaks_at_missing_months():
    root = parse(charts.line_chart(["01", "02", "03", "04"], [("Điện tử", [10.0, None, 50.0, 60.0])], "Theo tháng"))
    lines = list(root.iter(SVG + "polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # 03–04; 01 stands alone
    assert len(list(root.iter(SVG + "circle"))) == 3
    assert "100%" in texts(root) and "Điện tử" in texts(root)


def test_stacked_share_chart_sums_to_the_full_width():
    root = parse(charts.stacked_share_chart([("Nội bộ", [3, 1, 0]), ("Trống", [0, 0, 0])],
                                            ["Điện tử", "Kèm giấy", "Giấy"], "Hình thức", width=640,
                                            label_width=230))
    bars = [r for r in root.iter(SVG + "rect") if float(r.get("height")) == 20 and r.get("fill") != "#eef1f5"]
    assert round(sum(float(r.get("width")) for r in bars)) == 640 - 230 - 10
    assert "75%" in texts(root) and "—" in texts(root)
