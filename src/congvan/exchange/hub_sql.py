"""The hub's hot path in plain SQL: the statements every message goes through.

Building an ORM query costs about half a millisecond of CPU; at hundreds of packages a second that was
most of the hub's time. These few statements are written once against the models' own tables and
columns and run on SQLite and PostgreSQL alike: values go through the fields' own conversions (a UUID
is a ``uuid`` on PostgreSQL and 32 hex digits on SQLite), and both databases know ``ON CONFLICT``.
Everything else about the hub stays in the ORM.
"""

import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from congvan.documents.models import Blob
from congvan.exchange.models import HubMessage, Node

MESSAGE = HubMessage._meta
PENDING, DONE = HubMessage.State.PENDING, HubMessage.State.DONE
INSERT_COLUMNS = ("id", "message_id", "sender", "recipient", "message_type", "from_code", "to_codes", "blob",
                  "state", "created_at", "attempts", "next_attempt_at", "reason")


def _db(model_meta, field: str, value):
    return model_meta.get_field(field).get_db_prep_save(value, connection)


def _column(model_meta, field: str) -> str:
    return connection.ops.quote_name(model_meta.get_field(field).column)


def _table(model_meta) -> str:
    return connection.ops.quote_name(model_meta.db_table)


@lru_cache(maxsize=4)
def _statements(vendor: str) -> dict[str, str]:
    """The SQL text, built once per database vendor from the models' tables and columns."""
    blob_meta, node_meta = Blob._meta, Node._meta
    m = {name: _column(MESSAGE, name) for name in (*INSERT_COLUMNS, "acked_at")}
    one_row = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    return {
        "insert_blob": f"INSERT INTO {_table(blob_meta)} ({_column(blob_meta, 'sha256')}, "
                       f"{_column(blob_meta, 'size')}, {_column(blob_meta, 'created_at')}) VALUES (%s, %s, %s) "
                       "ON CONFLICT DO NOTHING",
        "insert_message": f"INSERT INTO {_table(MESSAGE)} ({', '.join(m[c] for c in INSERT_COLUMNS)}) VALUES ",
        "one_row": one_row,
        "stored_for": f"SELECT m.{m['id']}, m.{m['message_id']}, m.{m['message_type']}, m.{m['from_code']}, "
                      f"n.{_column(node_meta, 'name')}, m.{m['blob']}, b.{_column(blob_meta, 'size')} "
                      f"FROM {_table(MESSAGE)} m "
                      f"JOIN {_table(node_meta)} n ON n.{_column(node_meta, 'id')} = m.{m['sender']} "
                      f"JOIN {_table(blob_meta)} b ON b.{_column(blob_meta, 'sha256')} = m.{m['blob']} "
                      f"WHERE m.{m['recipient']} = %s AND m.{m['id']} IN ",
        "mark_done": f"UPDATE {_table(MESSAGE)} SET {m['state']} = %s, {m['acked_at']} = %s "
                     f"WHERE {m['recipient']} = %s AND {m['state']} = %s AND {m['id']} IN ",
    }


def _sql(name: str) -> str:
    return _statements(connection.vendor)[name]


def insert_messages(blob: Blob, rows: list[dict]) -> list[str]:
    """The package's blob row (if new) and one hub message per destination, in one transaction.

    ``rows``: ``message_id``, ``sender`` and ``recipient`` (node ids), ``message_type``, ``from_code``,
    ``to_codes``. Raises IntegrityError when the sender already sent this message id (a resend)."""
    now = timezone.now()
    ids = [uuid.uuid4() for _ in rows]
    values = []
    for pk, row in zip(ids, rows, strict=True):
        full = {**row, "id": pk, "blob": blob.sha256, "state": PENDING, "created_at": now, "attempts": 0,
                "next_attempt_at": now, "reason": ""}
        values += [_db(MESSAGE, name, full[name]) for name in INSERT_COLUMNS]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_sql("insert_blob"), [blob.sha256, blob.size, _db(Blob._meta, "created_at", now)])
        cursor.execute(_sql("insert_message") + ", ".join([_sql("one_row")] * len(rows)), values)
    return [str(pk) for pk in ids]


@dataclass
class Stored:
    """A message as its destination downloads it: where the package is and the transport headers."""

    id: str
    message_id: str
    message_type: str
    from_code: str
    from_node: str
    blob_id: str
    size: int


def stored_for(node: Node, hub_ids: list[uuid.UUID]) -> list[Stored]:
    """Those of ``hub_ids`` addressed to ``node`` (whatever their state), in the order asked."""
    if not hub_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_sql("stored_for") + "(" + ", ".join(["%s"] * len(hub_ids)) + ")",
                       [node.pk, *(_db(MESSAGE, "id", pk) for pk in hub_ids)])
        found = {uuid.UUID(str(row[0])): Stored(str(uuid.UUID(str(row[0]))), str(uuid.UUID(str(row[1]))), *row[2:])
                 for row in cursor.fetchall()}
    return [found[pk] for pk in hub_ids if pk in found]


def mark_done(node: Node, hub_ids: list[uuid.UUID]) -> int:
    """``done`` for those of ``hub_ids`` still pending for ``node``; returns how many changed."""
    if not hub_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_sql("mark_done") + "(" + ", ".join(["%s"] * len(hub_ids)) + ")",
                       [DONE, _db(MESSAGE, "acked_at", timezone.now()), node.pk, PENDING,
                        *(_db(MESSAGE, "id", pk) for pk in hub_ids)])
        return cursor.rowcount
