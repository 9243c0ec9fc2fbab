"""The known history of the report tests, with its summary computed (tests/reports/history.py)."""

import pytest


@pytest.fixture
def history(demo):
    from congvan.reports import summary
    from tests.reports.history import build_history

    docs, items = build_history()
    summary.rebuild()
    return docs, items
