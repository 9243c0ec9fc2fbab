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
