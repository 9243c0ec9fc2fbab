"""Tokens of a search entry: who may find the document (access tokens), and what the index can narrow
to without reading the entries (filter and recency tokens). They are written into the entry's ``scope``
column and the query asks for them together with the words, so the engine intersects them itself.

Access tokens mirror congvan.workflow.access exactly (the search service still checks the final page of
results through ``access.visible_documents``, so a token left stale can only hide a hit, never show one):

=========  ===========================================================================================
token      who holds it / which documents carry it
=========  ===========================================================================================
oa{A}      everyone of agency A / A's issued documents that are not secret
ol{A}      A's leaders / A's documents submitted, returned, approved or issued
oc{A}      A's clerks / A's documents approved or issued
ou{P}      person P / the documents P drafted
im{B}      leaders and clerks of B / documents B received (incoming item not withdrawn)
iu{P}      person P / documents received whose incoming item was handed to P (assigned, forwarded, …)
=========  ===========================================================================================

Filter and recency tokens (the filters are also checked on the entry's columns, so these only narrow):

=========  ===========================================================================================
ag{A}      the document was issued by agency A (filter "agency")
ty{T}      its type code is T, folded to letters and digits (filter "type": CV, QĐ → qd, TTr → ttr)
rc{N}      its id is in the N-th block of ``RECENCY_BLOCK`` ids: PostgreSQL scans the newest blocks
           first instead of every match (its GIN index cannot return matches in order of recency)
=========  ===========================================================================================
"""

from __future__ import annotations

from congvan.directory.models import Role
from congvan.text import fold

OUTGOING, INCOMING = "outgoing", "incoming"
RECENCY_BLOCK = 1 << 14  # ids per rc token: 16 384 documents
_LEADER_STATES = {"submitted", "returned", "approved", "issued"}
_CLERK_STATES = {"approved", "issued"}
MANAGING_ROLES = {Role.LEADER, Role.CLERK}


def document_tokens(*, agency_id: int, state: str, secrecy: str, created_by_id: int | None,
                    receiving_agencies=(), handed_to=()) -> list[str]:
    tokens = []
    if state == "issued" and secrecy == "none":
        tokens.append(f"oa{agency_id}")
    if state in _LEADER_STATES:
        tokens.append(f"ol{agency_id}")
    if state in _CLERK_STATES:
        tokens.append(f"oc{agency_id}")
    if created_by_id:
        tokens.append(f"ou{created_by_id}")
    tokens += [f"im{a}" for a in sorted(set(receiving_agencies))]
    tokens += [f"iu{p}" for p in sorted(set(handed_to))]
    return tokens


def person_tokens(person, roles: set[str], direction: str = "") -> list[str]:
    """The tokens of the documents ``person`` may open (only outgoing or incoming ones with ``direction``)."""
    agency = person.agency_id
    tokens = []
    if direction != INCOMING:
        # ol ⊇ oc ⊇ oa (leaders see what clerks see, clerks what everyone sees): the widest one is enough,
        # and every token less is one posting list fewer for the engine to merge.
        widest = "ol" if Role.LEADER in roles else "oc" if Role.CLERK in roles else "oa"
        tokens += [f"{widest}{agency}", f"ou{person.pk}"]
    if direction != OUTGOING:
        tokens.append(f"im{agency}" if roles & MANAGING_ROLES else f"iu{person.pk}")
    return tokens


def agency_token(agency_id: int) -> str:
    return f"ag{int(agency_id)}"


def type_token(code: str) -> str:
    return "ty" + "".join(ch for ch in fold(code or "") if ch.isalnum())


def block_token(block: int) -> str:
    """The recency token of the ``block``-th block of ``RECENCY_BLOCK`` ids."""
    return f"rc{int(block)}"


def filter_tokens(*, document_id: int, agency_id: int, doc_type: str) -> list[str]:
    """The filter and recency tokens of an entry (see the table above)."""
    return [agency_token(agency_id), type_token(doc_type), block_token(document_id // RECENCY_BLOCK)]


def required_tokens(filters: dict) -> list[str]:
    """The tokens every match must carry for a query's filters (issuing agency, type); the backends still
    check the entry's columns, so these only let the engine skip what cannot match."""
    tokens = [agency_token(filters["agency_id"])] if filters.get("agency_id") else []
    return tokens + ([type_token(filters["doc_type"])] if filters.get("doc_type") else [])
