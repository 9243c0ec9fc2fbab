"""Full-text search (API.md "Later capabilities"): the documents the caller may open, accent-insensitive."""

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.search import service

router = Router(tags=["search"])


class SearchHitOut(Schema):
    document_id: int
    notation: str
    subject: str
    snippet: str = Field(description="Đoạn trích dạng HTML: từ khớp trong thẻ <mark>, phần còn lại đã thoát ký tự.")
    score: float
    subject_html: str
    type: str
    agency_code: str
    agency_name: str
    direction: str = Field(description="outgoing: văn bản của cơ quan người gọi; incoming: văn bản cơ quan nhận.")
    date: date | None
    url: str


class SearchOut(Schema):
    total: int
    total_exact: bool = Field(description="false: có hơn ``total`` văn bản phù hợp (chỉ đếm chính xác đến mức này).")
    page: int
    per_page: int
    ranked_window: int = Field(description="Mức liên quan được xếp trên chừng này kết quả mới nhất.")
    results: list[SearchHitOut]


class SearchParams(Schema):
    q: str = ""
    agency: str = Field("", description="Mã định danh của cơ quan ban hành.")
    type: str = Field("", description="Mã loại văn bản (CV, QĐ, TB…).")
    direction: str = Field("", description="outgoing (văn bản đi) hoặc incoming (văn bản đến).")
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    notation: str = ""
    signer: str = ""
    sort: str = Field(service.RELEVANCE, description="relevance (mức liên quan) hoặc newest (mới nhất).")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=service.MAX_PER_PAGE)


@router.get("/search", response={200: SearchOut, ERROR_CODES: ErrorOut}, url_name="search")
def search(request, params: Query[SearchParams]):
    """Tìm văn bản theo nội dung (không phân biệt dấu, hoa thường; "cụm từ" trong ngoặc kép; -từ để loại trừ;
    tiền tố*), lọc theo cơ quan ban hành, loại, hướng (outgoing/incoming), khoảng ngày, số ký hiệu, người ký.
    Chỉ trả về văn bản người gọi được quyền mở."""
    filters = service.Filters(agency=params.agency, doc_type=params.type, direction=params.direction,
                              date_from=params.from_, date_to=params.to, notation=params.notation,
                              signer=params.signer)
    results = service.search(request.auth, params.q, filters, sort=params.sort, page=params.page,
                             per_page=params.per_page)
    return {"total": results.total, "total_exact": results.total_exact, "page": results.page, "per_page": results.per_page,
            "ranked_window": results.window, "results": [{
                "document_id": hit.document.pk, "notation": hit.document.notation, "subject": hit.document.subject,
                "snippet": hit.snippet_html, "score": hit.score, "subject_html": hit.subject_html,
                "type": hit.document.doc_type.code, "agency_code": hit.document.agency.code,
                "agency_name": hit.document.agency.name, "direction": hit.direction,
                "date": timezone.localdate(hit.document.issued_at or hit.document.created_at),
                "url": request.build_absolute_uri(hit.url)} for hit in results.hits]}
