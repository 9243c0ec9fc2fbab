"""The contract is published: openapi.json lists every path of shared/API.md, the docs page loads."""

from django.test import Client

# Every operation of shared/API.md (the "later capabilities" are not built yet).
CONTRACT = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/agencies"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/documents"),
    ("post", "/api/v1/documents/{id}/files"),
    ("post", "/api/v1/documents/{id}/submit"),
    ("post", "/api/v1/documents/{id}/approve"),
    ("post", "/api/v1/documents/{id}/return"),
    ("post", "/api/v1/documents/{id}/issue"),
    ("get", "/api/v1/documents/{id}"),
    ("get", "/api/v1/documents/{id}/deliveries"),
    ("post", "/api/v1/documents/{id}/revoke"),
    ("get", "/api/v1/inbox"),
    ("post", "/api/v1/incoming/{id}/register"),
    ("post", "/api/v1/incoming/{id}/refuse"),
    ("post", "/api/v1/incoming/{id}/assign"),
    ("post", "/api/v1/incoming/{id}/start"),
    ("post", "/api/v1/incoming/{id}/complete"),
    ("post", "/api/v1/incoming/{id}/revocation"),
}


def test_openapi_lists_the_contract(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    missing = CONTRACT - operations
    assert not missing, missing
    download = schema["paths"]["/api/v1/documents/{id}/files/{file_id}"]["get"]["responses"]
    assert "application/octet-stream" in download["200"]["content"]
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    token_op = schema["paths"]["/api/v1/auth/token"]["post"]
    assert "security" not in token_op or token_op["security"] == []
    create = schema["paths"]["/api/v1/documents"]["post"]
    assert create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    body = schema["components"]["schemas"]["DocumentIn"]["properties"]
    assert {"type", "subject", "recipients", "secrecy", "urgency", "due_date", "drafting_unit"} <= set(body)
    assert body["secrecy"]["enum"] == ["none", "mat", "toi_mat", "tuyet_mat"]


def test_docs_page_loads_with_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/openapi.json" in page
    assert "/static/ninja/" in page
