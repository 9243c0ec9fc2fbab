"""Search on both backends (make test runs these again on PostgreSQL): accents and capitals do not matter,
phrases and filters work, nobody finds what they could not open, and the index follows the documents."""

import io

import pytest
from django.core.management import call_command

from congvan.documents import services as documents
from congvan.search import index
from congvan.search.service import Filters, search
from tests.conftest import make_pdf

pytestmark = pytest.mark.postgres

SENDER, RECIPIENT = "ubndtinh", "000.05.00.H21"  # UBND tỉnh → Sở Nội vụ


def ids(person, text, **filters):
    return {hit.document.pk for hit in search(person, text, Filters(**filters), per_page=100).hits}


@pytest.fixture
def docs(issue_document):
    return {
        "daklak": issue_document(subject="Về việc triển khai văn bản điện tử tại tỉnh Đắk Lắk"),
        "hoso": issue_document(subject="Kiểm tra hồ sơ đất đai năm 2026"),
        "ho": issue_document(subject="Sơ kết công tác quản lý hồ chứa nước", doc_type="TB"),
    }


def test_accents_and_capitals_give_the_same_hits(docs, person):
    clerk = person(f"vanthu.{SENDER}")
    variants = ["van ban dien tu", "văn bản điện tử", "VĂN BẢN ĐIỆN TỬ", "Văn Bản Điện Tử"]
    found = [ids(clerk, v) for v in variants]
    assert docs["daklak"].pk in found[0]
    assert all(f == found[0] for f in found)
    dak = [ids(clerk, v) for v in ["Đắk Lắk", "dak lak", "ĐẮK LẮK", "đắk lắk"]]
    assert dak[0] == {docs["daklak"].pk}
    assert all(f == dak[0] for f in dak)


def test_phrases_exclusions_and_prefixes(docs, person):
    clerk = person(f"vanthu.{SENDER}")
    assert ids(clerk, "ho so") >= {docs["hoso"].pk, docs["ho"].pk}  # both words, anywhere
    assert ids(clerk, '"hồ sơ"') == {docs["hoso"].pk}  # next to each other
    assert ids(clerk, "hồ -đất") == {docs["ho"].pk}
    assert docs["daklak"].pk in ids(clerk, "trien*")


def test_another_agency_never_finds_the_document(docs, person):
    assert ids(person("vanthu.sotaichinh"), "dak lak") == set()  # not addressed to it
    assert ids(person("lanhdao.soyte"), "van ban dien tu") == set()
    recipient_clerk = person("vanthu.sonoivu")  # it was sent there: its clerk finds it as incoming
    hits = search(recipient_clerk, "dak lak").hits
    assert [(h.document.pk, h.direction) for h in hits] == [(docs["daklak"].pk, "incoming")]
    assert "/van-ban-den/" in hits[0].url or "incoming" in hits[0].url
    assert ids(person("chuyenvien.sonoivu"), "dak lak") == set()  # an officer it was not handed to


def test_drafts_stay_with_their_drafter(person):
    drafter, colleague = person(f"chuyenvien.{SENDER}"), person(f"chuyenvien2.{SENDER}")
    draft = documents.create_draft(drafter, doc_type="CV", subject="Dự thảo quy chế bảo vệ rừng phòng hộ",
                                   recipients=[RECIPIENT])
    assert ids(drafter, "rung phong ho") == {draft.pk}
    assert ids(colleague, "rung phong ho") == set()
    assert ids(person(f"lanhdao.{SENDER}"), "rung phong ho") == set()  # not submitted yet


def test_the_index_follows_edits_and_reindex_rebuilds_it(person):
    drafter = person(f"chuyenvien.{SENDER}")
    draft = documents.create_draft(drafter, doc_type="CV", subject="Kế hoạch trồng cà phê", recipients=[RECIPIENT])
    assert ids(drafter, "ca phe") == {draft.pk}
    documents.update_draft(drafter, draft, subject="Kế hoạch phát triển hồ tiêu")
    assert ids(drafter, "ho tieu") == {draft.pk}
    assert ids(drafter, "ca phe") == set()
    documents.add_file(drafter, draft, "ke-hoach.pdf", io.BytesIO(make_pdf("Vùng nguyên liệu sầu riêng Chư Sê")))
    assert ids(drafter, "sau rieng chu se") == {draft.pk}  # the file's text is searched too

    index.backend().clear()
    assert ids(drafter, "ho tieu") == set()
    call_command("search", "reindex", "--no-progress")
    assert ids(drafter, "ho tieu") == {draft.pk}
    assert ids(drafter, "sau rieng") == {draft.pk}
    call_command("search", "reindex", "--full", "--no-progress")
    assert ids(drafter, '"sầu riêng"') == {draft.pk}


def test_filters(docs, person):
    clerk = person(f"vanthu.{SENDER}")
    everything = ids(clerk, "van ban dien tu")
    assert ids(clerk, "van ban dien tu", doc_type="TB") == {docs["ho"].pk}
    assert ids(clerk, "van ban dien tu", direction="outgoing") == everything
    assert ids(clerk, "van ban dien tu", direction="incoming") == set()
    assert ids(person("vanthu.sonoivu"), "van ban dien tu", direction="incoming") == everything
    assert ids(clerk, "van ban dien tu", agency=RECIPIENT) == set()
    assert ids(clerk, "van ban dien tu", agency="000.00.00.H21") == everything
    day = docs["ho"].issued_at.date()
    from datetime import timedelta

    assert ids(clerk, "van ban dien tu", date_from=day - timedelta(days=1), date_to=day + timedelta(days=1)) == everything
    assert ids(clerk, "van ban dien tu", date_from=day + timedelta(days=2)) == set()
    notation = docs["hoso"].notation
    assert ids(clerk, "", notation=notation) == {docs["hoso"].pk}
    signer = docs["hoso"].signer_name
    assert signer and ids(clerk, "dak lak", signer=signer.split()[-1].lower()) == {docs["daklak"].pk}
    assert ids(clerk, "dak lak", signer="không ai ký") == set()
    newest = search(clerk, "van ban dien tu", sort="newest", per_page=2)
    assert newest.total == len(everything) and [h.document.pk for h in newest.hits] == sorted(everything)[::-1][:2]


def test_snippets_mark_the_original_words_and_escape_html(person, issue_document):
    document = issue_document(subject="Về <b>thẻ</b> & quy trình văn bản điện tử")
    [hit] = search(person(f"vanthu.{SENDER}"), "THE quy trinh").hits
    assert hit.document.pk == document.pk
    assert "&lt;b&gt;<mark>thẻ</mark>&lt;/b&gt;" in hit.subject_html
    assert "<mark>quy</mark> <mark>trình</mark>" in hit.subject_html
    assert "&amp;" in hit.subject_html and "<b>" not in hit.subject_html


def test_the_api_offers_search(docs, api):
    response = api(f"vanthu.{SENDER}").get("/search", {"q": "dak lak"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1
    [hit] = body["results"]
    assert hit["document_id"] == docs["daklak"].pk and hit["notation"] == docs["daklak"].notation
    assert hit["subject"] == docs["daklak"].subject and hit["score"] > 0
    assert "<mark>Đắk</mark> <mark>Lắk</mark>" in hit["subject_html"]
    assert api("vanthu.sotaichinh").get("/search", {"q": "dak lak"}).json() == {
        "total": 0, "total_exact": True, "page": 1, "per_page": 20, "ranked_window": body["ranked_window"], "results": []}
    incoming = api("vanthu.sonoivu").get("/search", {"q": "dak lak", "direction": "incoming", "from": "2000-01-01"})
    assert [r["document_id"] for r in incoming.json()["results"]] == [docs["daklak"].pk]


def test_api_refuses_bad_filters_clearly(docs, api):
    from tests.api.conftest import error_of

    client = api(f"vanthu.{SENDER}")
    assert error_of(client.get("/search", {"q": "x", "direction": "sideways"}), 400)["code"] == "invalid_search"
    assert error_of(client.get("/search", {"q": "x", "agency": "999.99.99.Z99"}), 400)["code"] == "invalid_search"
    from django.utils import translation

    try:
        error = error_of(client.get("/search", {"q": "x", "from": "2026-02-01", "to": "2026-01-01"},
                                    HTTP_ACCEPT_LANGUAGE="en"), 400)
    finally:
        translation.activate("vi")  # LocaleMiddleware leaves the request's language active in this thread
    assert error["message"] == "The start date must be before the end date."


def test_counting_stops_at_the_limit(docs, person, settings):
    settings.SEARCH_COUNT_LIMIT, settings.SEARCH_CANDIDATES = 2, 2
    clerk = person(f"vanthu.{SENDER}")
    for sort in ("relevance", "newest"):
        results = search(clerk, "van ban dien tu", sort=sort)
        assert (results.total, results.total_exact) == (2, False)
    assert search(clerk, "dak lak").total_exact


@pytest.mark.django_db(transaction=True)
def test_a_full_reindex_run_by_the_operator_rebuilds_the_emptied_index(person):
    """``congvan search reindex --full`` outside any transaction, as an operator runs it: the index is emptied
    (TRUNCATE on PostgreSQL, the shards dropped on SQLite) and rebuilt, and searches find the same."""
    drafter = person(f"chuyenvien.{SENDER}")
    draft = documents.create_draft(drafter, doc_type="CV", subject="Kế hoạch bảo tồn cồng chiêng Tây Nguyên",
                                   recipients=[RECIPIENT])
    assert ids(drafter, "cong chieng") == {draft.pk}
    call_command("search", "reindex", "--full", "--no-progress")
    assert ids(drafter, "cồng chiêng tây nguyên") == {draft.pk}
    assert ids(drafter, "cong chieng", doc_type="TB") == set()
