"""Search as a person: the one entry point of the web page, the API and the benchmark.

The backend returns the matching documents the person's access tokens allow (congvan.search.scope),
ranked over the most recent ``SEARCH_CANDIDATES`` matches (sorting every match by relevance would take
seconds on a province's millions of documents); the page of hits is then checked once more through
congvan.workflow.access, so a stale token can never show a document the person may not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person
from congvan.documents.models import Document
from congvan.errors import ServiceError
from congvan.search import highlight, index, scope
from congvan.search import query as q
from congvan.text import clean, fold
from congvan.workflow import access
from congvan.workflow.models import IncomingItem

RELEVANCE, NEWEST = "relevance", "newest"
MAX_PER_PAGE = 100


class InvalidSearch(ServiceError):
    code = "invalid_search"


@dataclass
class Hit:
    document: Document
    score: float
    subject_html: str
    snippet_html: str
    direction: str  # outgoing (the person's agency issued it) or incoming (received)
    url: str


@dataclass
class Results:
    query: str
    total: int = 0
    total_exact: bool = True  # False: more than ``total`` matches (counting stops at SEARCH_COUNT_LIMIT)
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    sort: str = RELEVANCE
    window: int = 0  # relevance is computed over this many most recent matches

    @property
    def pages(self) -> int:
        reachable = min(self.total, self.window) if self.sort == RELEVANCE and self.window else self.total
        return max(1, -(-reachable // self.per_page))

    @property
    def windowed(self) -> bool:
        return self.sort == RELEVANCE and self.total > self.window


@dataclass
class Filters:
    agency: str = ""  # issuing agency's code
    doc_type: str = ""
    direction: str = ""
    date_from: date | None = None
    date_to: date | None = None
    notation: str = ""
    signer: str = ""

    def any(self) -> bool:
        return any([self.agency, self.doc_type, self.direction, self.date_from, self.date_to, self.notation,
                    self.signer])


def _backend_filters(filters: Filters) -> dict:
    if filters.direction not in ("", scope.OUTGOING, scope.INCOMING):
        raise InvalidSearch(_("Hướng văn bản phải là “outgoing” (đi) hoặc “incoming” (đến)."),
                            detail={"direction": filters.direction})
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidSearch(_("Ngày bắt đầu phải trước ngày kết thúc."))
    result = {"doc_type": clean(filters.doc_type), "date_from": filters.date_from, "date_to": filters.date_to,
              "notation": fold(clean(filters.notation)), "signer": fold(clean(filters.signer))}
    if filters.agency:
        agency = Agency.objects.filter(code=clean(filters.agency).upper()).values_list("pk", flat=True).first()
        if agency is None:
            raise InvalidSearch(_("Không có cơ quan mang mã định danh này."), detail={"agency": filters.agency})
        result["agency_id"] = agency
    return result


def search(person: Person, text: str = "", filters: Filters | None = None, *, sort: str = RELEVANCE,
           page: int = 1, per_page: int = 20) -> Results:
    filters = filters or Filters()
    query = q.parse(clean(text))
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    sort = sort if sort in (RELEVANCE, NEWEST) else RELEVANCE
    results = Results(query=clean(text), page=page, per_page=per_page, sort=sort,
                      window=settings.SEARCH_CANDIDATES)
    backend_filters = _backend_filters(filters)
    if query.empty and not filters.any():
        return results
    roles = person.roles()
    tokens = scope.person_tokens(person, roles, filters.direction)
    backend = index.backend()
    ranked = sort == RELEVANCE and not query.empty
    cap = settings.SEARCH_COUNT_LIMIT
    total, rows = backend.search(query, tokens, backend_filters, candidates=settings.SEARCH_CANDIDATES,
                                 ranked=ranked, offset=(page - 1) * per_page, limit=per_page, count_limit=cap)
    if total > cap:
        total, results.total_exact = cap, False
    ids = [r[0] for r in rows]
    own, items = _visible(person, roles, ids)
    rows = [r for r in rows if r[0] in own or r[0] in items]
    results.total = total - (len(ids) - len(rows))
    results.hits = _hits(person, rows, items, query, backend)
    return results


def _visible(person: Person, roles: set[str], ids: list[int]) -> tuple[set[int], dict[int, int]]:
    """Of these documents, those the person may open (access.visible_documents, checked in its two halves so
    that each uses its index): their agency's as the role allows, and those received through an incoming
    item they may open (document → that item, for the link)."""
    own = set(Document.objects.filter(pk__in=ids).filter(access.outgoing_filter(person, roles))
              .values_list("pk", flat=True))
    received = dict(access.visible_items(person, roles).filter(document_id__in=ids)
                    .exclude(state=IncomingItem.State.REVOKED).values_list("document_id", "pk"))
    return own, received


def _hits(person: Person, rows: list[tuple[int, float]], items: dict[int, int], query: q.Query, backend
          ) -> list[Hit]:
    ids = [r[0] for r in rows]
    documents = Document.objects.select_related("agency", "doc_type").in_bulk(ids)
    if hasattr(backend, "headlines"):
        marked = backend.headlines(ids, query)
    else:
        terms, prefixes = query.terms(), query.prefixes()
        marked = {i: (highlight.highlight(s, terms, prefixes, window=None), highlight.highlight(b, terms, prefixes))
                  for i, (s, b) in backend.texts(ids).items()}
    hits = []
    for document_id, score in rows:
        document = documents.get(document_id)
        if document is None:
            continue
        own = document.agency_id == person.agency_id
        if own or document_id not in items:
            url, direction = reverse("outgoing-detail", args=[document_id]), scope.OUTGOING
        else:
            url, direction = reverse("incoming-detail", args=[items[document_id]]), scope.INCOMING
        subject_html, snippet_html = marked.get(document_id, ("", ""))
        hits.append(Hit(document, round(score, 6), subject_html, snippet_html, direction, url))
    return hits
