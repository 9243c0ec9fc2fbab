"""Append-only, hash-chained audit log. ``audit.record(...)`` inside every state-changing transaction."""


def record(action, **kwargs):
    from congvan.audit.services import record as _record

    return _record(action, **kwargs)
