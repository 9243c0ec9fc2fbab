"""The hub's protocol over HTTP: authentication, routing, idempotency, limits, acknowledgements."""

import uuid

import pytest
from django.test import Client

from congvan.exchange import hub
from congvan.exchange.models import HubMessage, Node, Route

pytestmark = pytest.mark.django_db

BASE = "/exchange/v1"


@pytest.fixture
def nodes(db):
    """This installation is the hub: two registered nodes, each hosting one agency."""
    me = Node.objects.create(name="gialai", kind=Node.Kind.SELF)
    tokens = {name: hub.register_peer(name, "", name) for name in ("nghean", "vpcp")}
    for code, name in (("000.00.00.H41", "nghean"), ("000.00.00.G22", "vpcp"), ("000.00.00.H21", "gialai")):
        Route.objects.create(agency_code=code, node=Node.objects.get(name=name))
    return me, tokens


def send(token, body=b"<edXML/>", *, message_id=None, frm="000.00.00.H41", to="000.00.00.G22",
         messagetype="edoc", **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_FROM": frm, "HTTP_TO": to,
               "HTTP_MESSAGETYPE": messagetype, "HTTP_MESSAGE_ID": message_id or str(uuid.uuid4()), **extra}
    return Client().generic("POST", BASE + "/messages", body, content_type="application/xml", **headers)


def test_every_call_needs_a_valid_token(nodes):
    assert Client().get(BASE + "/messages").status_code == 401
    response = Client().get(BASE + "/messages", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert send("wrong").status_code == 401


def test_send_list_fetch_ack(nodes):
    _, tokens = nodes
    message_id = str(uuid.uuid4())
    response = send(tokens["nghean"], b"<edXML>goi tin</edXML>", message_id=message_id)
    assert response.status_code == 201
    [hub_id] = response.json()["ids"]

    listing = Client().get(BASE + "/messages", HTTP_AUTHORIZATION=f"Bearer {tokens['vpcp']}").json()["messages"]
    assert [(m["id"], m["message_id"], m["from"], m["from_node"], m["messagetype"]) for m in listing] == [
        (hub_id, message_id, "000.00.00.H41", "nghean", "edoc")]
    # the sender does not see it as pending for itself
    assert Client().get(BASE + "/messages", HTTP_AUTHORIZATION=f"Bearer {tokens['nghean']}").json()["messages"] == []

    fetched = Client().get(f"{BASE}/messages/{hub_id}", HTTP_AUTHORIZATION=f"Bearer {tokens['vpcp']}")
    assert b"".join(fetched.streaming_content) == b"<edXML>goi tin</edXML>"
    assert fetched["from-node"] == "nghean" and fetched["message-id"] == message_id
    # another node cannot fetch it
    assert Client().get(f"{BASE}/messages/{hub_id}",
                        HTTP_AUTHORIZATION=f"Bearer {tokens['nghean']}").status_code == 404

    ack = Client().post(f"{BASE}/messages/{hub_id}/ack", {"status": "done"}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {tokens['vpcp']}")
    assert ack.status_code == 200 and ack.json()["state"] == "done"
    assert Client().get(BASE + "/messages", HTTP_AUTHORIZATION=f"Bearer {tokens['vpcp']}").json()["messages"] == []


def test_same_message_twice_is_stored_once(nodes):
    _, tokens = nodes
    message_id = str(uuid.uuid4())
    first = send(tokens["nghean"], message_id=message_id)
    again = send(tokens["nghean"], message_id=message_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {"ids": first.json()["ids"], "duplicate": True}
    assert HubMessage.objects.count() == 1


def test_one_message_per_destination_node(nodes):
    _, tokens = nodes
    response = send(tokens["vpcp"], frm="000.00.00.G22", to="000.00.00.H41,000.00.00.H21")
    assert response.status_code == 201
    by_node = {m.recipient.name: m.to_codes for m in HubMessage.objects.select_related("recipient")}
    assert by_node == {"nghean": ["000.00.00.H41"], "gialai": ["000.00.00.H21"]}


def test_unknown_recipient_without_upstream_is_refused(nodes):
    _, tokens = nodes
    response = send(tokens["nghean"], to="000.00.00.G01")
    assert response.status_code == 422
    assert "000.00.00.G01" in response.json()["error"]["message"]
    assert HubMessage.objects.count() == 0


def test_unknown_recipient_goes_to_the_upstream_hub(nodes):
    _, tokens = nodes
    Node.objects.create(name="truc-quoc-gia", kind=Node.Kind.HUB, url="http://127.0.0.1:9", token="t")
    assert send(tokens["nghean"], to="000.00.00.G01").status_code == 201
    assert HubMessage.objects.get().recipient.name == "truc-quoc-gia"


def test_a_node_cannot_speak_for_another_nodes_agency(nodes):
    _, tokens = nodes
    response = send(tokens["nghean"], frm="000.00.00.G22")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_sender"


def test_declared_length_over_the_limit_is_refused_before_reading(nodes, settings):
    _, tokens = nodes
    response = send(tokens["nghean"], b"<edXML/>", CONTENT_LENGTH=str(1024 ** 3))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert HubMessage.objects.count() == 0


def test_body_over_the_limit_is_refused_and_nothing_kept(nodes, settings):
    _, tokens = nodes
    settings.EXCHANGE_MAX_PACKAGE = 1000
    response = send(tokens["nghean"], b"x" * 5000)
    assert response.status_code == 413
    assert HubMessage.objects.count() == 0
    # a body without its length (chunked) cannot be checked before reading: refused too
    response = send(tokens["nghean"], b"x" * 10, CONTENT_LENGTH="")
    assert response.status_code == 411 and response.json()["error"]["code"] == "length_required"


def test_bad_headers(nodes):
    _, tokens = nodes
    assert send(tokens["nghean"], messagetype="mail").json()["error"]["code"] == "bad_header"
    assert send(tokens["nghean"], message_id="not-a-uuid").json()["error"]["code"] == "bad_header"


def test_directory_put_and_get(nodes):
    _, tokens = nodes
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['nghean']}"}
    body = {"agencies": [{"code": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"},
                         {"code": "000.05.00.H41", "name": "Sở Nội vụ tỉnh Nghệ An"},
                         {"code": "000.00.00.G22", "name": "giả mạo"}]}
    result = Client().put(BASE + "/directory", body, content_type="application/json", **auth).json()
    assert result == {"accepted": 2, "conflicts": ["000.00.00.G22"]}
    listing = Client().get(BASE + "/directory", **auth).json()
    routes = {a["code"]: a["node"] for a in listing["agencies"]}
    assert routes["000.05.00.H41"] == "nghean" and routes["000.00.00.G22"] == "vpcp"
    assert {n["name"] for n in listing["nodes"]} >= {"gialai", "nghean", "vpcp"}


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_bundle_brings_several_messages_in_one_answer_and_one_call_acknowledges_them(nodes):
    from congvan.exchange import bundles

    _, tokens = nodes
    bodies = {}
    for i in range(3):
        body = f"<edXML>gói tin số {i}</edXML>".encode() * (i + 1)
        [hub_id] = send(tokens["nghean"], body).json()["ids"]
        bodies[hub_id] = body
    listing = Client().get(BASE + "/messages", **auth(tokens["vpcp"])).json()["messages"]
    ids = [m["id"] for m in listing]
    assert sorted(ids) == sorted(bodies)

    answer = Client().post(BASE + "/messages/bundle", {"ids": ids}, content_type="application/json",
                           **auth(tokens["vpcp"]))
    assert answer.status_code == 200
    raw = b"".join(answer.streaming_content)
    assert len(raw) == int(answer["Content-Length"])
    import io

    received = {}

    class Into(io.BytesIO):
        def __init__(self, hub_id):
            super().__init__()
            self.hub_id = hub_id

        def close(self):
            received[self.hub_id] = self.getvalue()
            super().close()

    boundary = answer["Content-Type"].partition("boundary=")[2]
    parts = bundles.read(io.BytesIO(raw), boundary, lambda h: Into(h["hub-id"]), max_part=10_000)
    assert received == bodies
    assert [p["hub-id"] for p in parts] == ids
    assert {p["from-node"] for p in parts} == {"nghean"} and {p["messagetype"] for p in parts} == {"edoc"}

    # the sender cannot take the receiver's messages, and an unknown id refuses the whole bundle
    assert Client().post(BASE + "/messages/bundle", {"ids": ids}, content_type="application/json",
                         **auth(tokens["nghean"])).status_code == 404
    assert Client().post(BASE + "/messages/bundle", {"ids": [*ids, str(uuid.uuid4())]},
                         content_type="application/json", **auth(tokens["vpcp"])).status_code == 404

    acks = [{"id": ids[0], "status": "done"}, {"id": ids[1], "status": "fail", "reason": "chữ ký sai"},
            {"id": ids[2], "status": "done"}]
    result = Client().post(BASE + "/messages/ack", {"acks": acks}, content_type="application/json",
                           **auth(tokens["vpcp"])).json()["results"]
    assert [r["state"] for r in result] == ["done", "failed", "done"]
    assert HubMessage.objects.get(pk=ids[1]).reason == "chữ ký sai"
    assert Client().get(BASE + "/messages", **auth(tokens["vpcp"])).json()["messages"] == []
    # acknowledging again changes nothing
    again = Client().post(BASE + "/messages/ack", {"acks": [{"id": ids[1], "status": "done"}]},
                          content_type="application/json", **auth(tokens["vpcp"])).json()["results"]
    assert again == [{"id": ids[1], "state": "failed"}]


def test_a_cut_bundle_is_refused_by_the_reader():
    import io

    from congvan.exchange import bundles

    whole = b"--b\r\nhub-id: x\r\nContent-Length: 10\r\n\r\n0123456789\r\n--b--\r\n"
    sink = io.BytesIO()
    sink.close = lambda: None
    assert bundles.read(io.BytesIO(whole), "b", lambda h: sink, max_part=100) == [
        {"hub-id": "x", "content-length": "10"}]
    for broken in (whole[:30], whole.replace(b"Content-Length: 10", b"Content-Length: 99"), b"garbage"):
        with pytest.raises(bundles.BundleError):
            bundles.read(io.BytesIO(broken), "b", lambda h: io.BytesIO(), max_part=100)
    with pytest.raises(bundles.BundleError):
        bundles.read(io.BytesIO(whole), "b", lambda h: io.BytesIO(), max_part=5)


def test_credentials_and_routes_changed_elsewhere_apply_within_the_cache_delay(nodes, monkeypatch):
    _, tokens = nodes
    clock = [1000.0]
    monkeypatch.setattr(hub.time, "monotonic", lambda: clock[0])
    assert send(tokens["nghean"]).status_code == 201  # credentials and routes now remembered
    # another process deactivates the node and moves the receiving agency to another node
    Node.objects.filter(name="nghean").update(is_active=False)
    Route.objects.filter(agency_code="000.00.00.G22").update(node=Node.objects.get(name="gialai"))
    clock[0] += hub.CACHE_SECONDS + 1
    assert send(tokens["nghean"]).status_code == 401
    Node.objects.filter(name="nghean").update(is_active=True)
    assert send(tokens["nghean"]).status_code == 201
    assert HubMessage.objects.order_by("-created_at").first().recipient.name == "gialai"


def test_an_agency_just_added_to_the_directory_is_routed_at_once(nodes):
    _, tokens = nodes
    assert send(tokens["nghean"], to="000.01.00.G22").status_code == 422
    Route.objects.create(agency_code="000.01.00.G22", node=Node.objects.get(name="vpcp"))  # by another process
    assert send(tokens["nghean"], to="000.01.00.G22").status_code == 201


def test_the_protocol_is_served_without_the_web_pages_middleware(nodes):
    """/exchange/v1/ goes to a handler without sessions, CSRF or locale; the rest of the site does not."""
    import io
    import sys

    from django.core import signals
    from django.db import close_old_connections

    from congvan.wsgi import application

    def call(path: str, token: str = "") -> tuple[str, dict]:
        seen = {}
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
                   "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(),
                   "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "HTTP_AUTHORIZATION": f"Bearer {token}"}
        # as Django's test client does: the test's database connection must survive the request
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            body = application(environ, lambda status, headers, exc=None: seen.update(status=status,
                                                                                      headers=headers))
            b"".join(body)
            body.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return seen["status"], dict(seen["headers"])

    _, tokens = nodes
    status, headers = call("/exchange/v1/messages", tokens["vpcp"])
    assert status.startswith("200") and "Content-Language" not in headers and "X-Frame-Options" not in headers
    assert call("/exchange/v1/messages")[0].startswith("401")
    status, headers = call("/dang-nhap/")
    assert "Content-Language" in headers  # the web pages keep their middleware
