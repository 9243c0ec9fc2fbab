"""Writing and verifying the audit chain."""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from congvan.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, agency_code: str, action: str,
               object_type: str, object_id: str, data: dict) -> str:
    payload = json.dumps(
        [prev_hash, seq, at, actor, agency_code, action, object_type, object_id, data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _timestamp(entry_at) -> str:
    return entry_at.isoformat(timespec="microseconds")


def record(action: str, *, actor=None, agency=None, obj=None, **data) -> AuditEntry:
    """Append an entry. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the transaction of the change")
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    at = timezone.now()
    username = getattr(getattr(actor, "user", actor), "username", "") or ""
    agency_code = getattr(agency, "code", "") or getattr(getattr(actor, "agency", None), "code", "") or ""
    object_type = obj._meta.model_name if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    data = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    seq = head.last_seq + 1
    digest = entry_hash(head.last_hash, seq, _timestamp(at), username, agency_code, action, object_type,
                        object_id, data)
    entry = AuditEntry.objects.create(seq=seq, at=at, actor=username, agency_code=agency_code, action=action,
                                      object_type=object_type, object_id=object_id, data=data,
                                      prev_hash=head.last_hash, hash=digest)
    AuditHead.objects.filter(pk=1).update(last_seq=seq, last_hash=digest)
    return entry


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> VerifyResult:
    """Walk the chain in order; report broken links, altered rows, missing rows and a moved head."""
    problems: list[str] = []
    prev, expected_seq, checked = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(f"mục #{expected_seq} bị thiếu (gặp #{entry.seq})")
        if entry.prev_hash != prev:
            problems.append(f"mục #{entry.seq}: liên kết với mục trước không khớp")
        digest = entry_hash(entry.prev_hash, entry.seq, _timestamp(entry.at), entry.actor, entry.agency_code,
                            entry.action, entry.object_type, entry.object_id, entry.data)
        if digest != entry.hash:
            problems.append(f"mục #{entry.seq} ({entry.action}) đã bị sửa sau khi ghi")
        prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev):
        problems.append("các mục cuối nhật ký đã bị xóa (đầu chuỗi không khớp)")
    return VerifyResult(checked, problems)
