"""Queries of the signing app: whose certificate signs, the trust store, and the stored validation results.

The documents and items passed in were already resolved through the workflow selectors, which scope
them to what the acting person may see."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from congvan.directory.models import Agency, Person
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, Form
from congvan.signing.models import CrlFile, FileSignatureCheck, SigningCertificate, TrustAnchor

PDF = "application/pdf"


def normalize_fingerprint(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return (value or "").replace(":", "").replace(" ", "").lower()


def signing_required() -> bool:
    """CONGVAN_SIGNING_REQUIRED=1/0, or unset: required once the operator has loaded a trust store."""
    value = settings.SIGNING_REQUIRED
    if value is None:
        return TrustAnchor.objects.filter(is_active=True).exists()
    return bool(value)


def _current(qs):
    now = timezone.now()
    return qs.filter(is_active=True, not_before__lte=now, not_after__gte=now).order_by("-created_at", "-id").first()


def personal_certificate(person: Person) -> SigningCertificate | None:
    """The person's own certificate in force now (the newest registered)."""
    return _current(SigningCertificate.objects.filter(person=person))


def seal_certificate(agency: Agency) -> SigningCertificate | None:
    """The agency's seal certificate in force now; its clerks sign with it."""
    return _current(SigningCertificate.objects.filter(agency=agency))


def certificates_of(*, person: Person | None = None, agency: Agency | None = None):
    qs = SigningCertificate.objects.filter(person=person) if person else SigningCertificate.objects.filter(
        agency=agency)
    return qs.order_by("-created_at", "-id")


@dataclass
class TrustStore:
    roots: list[bytes] = field(default_factory=list)
    intermediates: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)


def trust_store() -> TrustStore:
    store = TrustStore()
    for anchor in TrustAnchor.objects.filter(is_active=True).order_by("pk"):
        target = store.roots if anchor.kind == TrustAnchor.Kind.ROOT else store.intermediates
        target.append(anchor.certificate_pem.encode("ascii"))
    for crl in CrlFile.objects.select_related("blob").order_by("pk"):
        try:
            store.crls.append(storage.read_verified(crl.blob))
        except (FileNotFoundError, storage.BlobCorrupted):
            continue
    return store


def trust_store_changed_at() -> datetime | None:
    """A stored validation older than the last change of the trust store is done again."""
    moments = [TrustAnchor.objects.aggregate(m=Max("added_at"))["m"], CrlFile.objects.aggregate(m=Max("added_at"))["m"]]
    moments = [m for m in moments if m]
    return max(moments) if moments else None


def superseded_file_ids(document: Document) -> set[int]:
    """Files replaced by a signed version (kept as history, no longer the document's content)."""
    return set(document.signatures.values_list("source_id", flat=True))


def current_files(document: Document, roles=(DocumentFile.Role.MAIN, DocumentFile.Role.ANNEX)) -> list[DocumentFile]:
    """The document's content now: its latest main file and every annex not replaced by a signed one."""
    old = superseded_file_ids(document)
    files = list(document.files.filter(role__in=roles).select_related("blob").order_by("added_at", "id"))
    mains = [f for f in files if f.role == DocumentFile.Role.MAIN]
    latest_main = mains[-1] if mains else None
    return [f for f in files if f.pk not in old and (f.role != DocumentFile.Role.MAIN or f is latest_main)]


def checks_for(files) -> dict[str, FileSignatureCheck]:
    """The stored validation of each file's content, by SHA-256."""
    shas = {f.blob_id for f in files if f.content_type == PDF}
    return {c.blob_id: c for c in FileSignatureCheck.objects.filter(blob_id__in=shas)}


@dataclass
class FileSignatures:
    """One file and what its validation says, ready for a template."""

    file: DocumentFile
    check: FileSignatureCheck | None
    superseded: bool = False

    @property
    def is_pdf(self) -> bool:
        return self.file.content_type == PDF

    @property
    def signatures(self) -> list[dict]:
        return self.check.signatures if self.check else []

    @property
    def state(self) -> str:
        """valid | invalid | unsigned | unchecked | n/a (not a PDF)."""
        if not self.is_pdf:
            return "n/a"
        if self.check is None:
            return "unchecked"
        return self.check.state


def file_signatures(document: Document, files=None) -> list[FileSignatures]:
    files = list(files if files is not None else document.files.select_related("blob", "added_by")
                 .order_by("added_at", "id"))
    checks = checks_for(files)
    old = superseded_file_ids(document)
    mains = [f.pk for f in files if f.role == DocumentFile.Role.MAIN]
    latest_main = mains[-1] if mains else None
    return [FileSignatures(f, checks.get(f.blob_id),
                           superseded=f.pk in old or (f.role == DocumentFile.Role.MAIN and f.pk != latest_main))
            for f in files]


def seal_fingerprints() -> set[str]:
    return {normalize_fingerprint(fp) for fp in
            SigningCertificate.objects.filter(agency__isnull=False).values_list("fingerprint_sha256", flat=True)}


def valid_signers(check: FileSignatureCheck | None, agency: Agency) -> tuple[bool, bool]:
    """(a valid personal signature, a valid signature of ``agency``) on a checked file.

    The agency's signature is one made with a seal certificate registered for the agency; every other
    valid signature is a personal one (the leader may have signed outside the system, with a token)."""
    if check is None or check.error:
        return False, False
    own_seals = {normalize_fingerprint(fp) for fp in SigningCertificate.objects.filter(agency=agency)
                 .values_list("fingerprint_sha256", flat=True)}
    all_seals = seal_fingerprints()
    personal = agency_signed = False
    for signature in check.signatures:
        if not signature.get("ok"):
            continue
        fingerprint = normalize_fingerprint(signature.get("certificate_fingerprint"))
        if fingerprint in own_seals:
            agency_signed = True
        elif fingerprint not in all_seals:
            personal = True
    return personal, agency_signed


def form_from_signatures(document: Document) -> str:
    """Decree 30 / issue 3 rule: fully electronic only with a valid leader signature and agency signature
    on the main file; else hybrid when there is a main PDF (paper copy needed); else paper."""
    if document.form == Form.PAPER:
        return Form.PAPER  # chosen on purpose (secret documents are paper only)
    main = document.main_file
    if main is None or main.content_type != PDF:
        return Form.PAPER
    check = FileSignatureCheck.objects.filter(blob_id=main.blob_id).first()
    personal, agency_signed = valid_signers(check, document.agency)
    return Form.ELECTRONIC if personal and agency_signed else Form.HYBRID


def signature_problems(document: Document) -> list[str]:
    """What a clerk must see before registering a received document (empty: nothing to flag)."""
    files = [f for f in current_files(document) if f.content_type == PDF]
    checks = checks_for(files)
    problems = []
    for f in files:
        check = checks.get(f.blob_id)
        if check is None:
            continue
        if check.error:
            problems.append(f"{f.name}: {check.error}")
        for signature in check.signatures:
            if not signature.get("ok"):
                problems.append(f"{f.name}: {signature.get('summary') or 'chữ ký không hợp lệ'}")
    main = next((f for f in files if f.role == DocumentFile.Role.MAIN), None)
    if document.form == Form.ELECTRONIC and main is not None:
        check = checks.get(main.blob_id)
        if check is not None and not check.error and not any(s.get("ok") for s in check.signatures):
            problems.append(f"{main.name}: văn bản điện tử nhưng tệp không có chữ ký số hợp lệ.")
    return problems
