"""Directory through the API: agencies by code or name (diacritics optional), people with their roles."""

from tests.api.conftest import error_of


def test_agencies_search_ignores_diacritics(api):
    client = api("chuyenvien.ubndtinh")
    everything = client.get("/agencies").json()
    assert len(everything) >= 9
    noi_vu = next(a for a in everything if a["code"] == "000.05.00.H21")
    assert noi_vu == {"code": "000.05.00.H21", "slug": "sonoivu", "name": "Sở Nội vụ tỉnh Gia Lai",
                      "short_name": "SNV", "parent_code": noi_vu["parent_code"], "email": noi_vu["email"],
                      "level": "department", "is_local": True}
    for q in ("nội vụ", "noi vu", "NOI VU", "000.05", "SNV"):
        assert [a["code"] for a in client.get("/agencies", {"q": q}).json()] == ["000.05.00.H21"], q
    assert {a["code"] for a in client.get("/agencies", {"q": "duc co"}).json()} == {"000.63.00.H21"}
    assert client.get("/agencies", {"q": "khong co co quan nay"}).json() == []


def test_people_of_an_agency_with_roles(api):
    client = api("chuyenvien.ubndtinh")
    people = {p["username"]: p for p in client.get("/people", {"agency": "000.05.00.H21"}).json()}
    assert people["lanhdao.sonoivu"]["roles"] == ["leader"]
    assert people["vanthu.sonoivu"]["roles"] == ["admin", "clerk"]  # the demo clerk also administers
    assert people["chuyenvien.sonoivu"]["roles"] == ["officer"]
    assert people["lanhdao.sonoivu"]["full_name"] == "Hồ Văn Điền"
    assert {p["agency_code"] for p in people.values()} == {"000.05.00.H21"}
    own = {p["username"] for p in client.get("/people").json()}
    assert "vanthu.ubndtinh" in own and "vanthu.sonoivu" not in own
    error = error_of(client.get("/people", {"agency": "000.99.99.H99"}), 404)
    assert error["code"] == "unknown_agency"
