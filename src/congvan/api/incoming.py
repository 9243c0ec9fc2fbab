"""Incoming documents: the recipient agency's side of a delivery (inbox, register, assign, process)."""

from django.utils.translation import gettext_lazy as _
from ninja import Body, Query, Router, Status

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.api.schemas import (
    AssignIn,
    CompleteIn,
    ForwardIn,
    ItemDetailOut,
    ItemOut,
    NoteIn,
    NoteOut,
    ReasonIn,
    RegisterIn,
    RevocationIn,
    item_detail_out,
    item_out,
    item_queryset,
    note_out,
)
from congvan.errors import NotFound, ServiceError
from congvan.workflow import access, incoming, selectors
from congvan.workflow.models import IncomingItem

router = Router(tags=["incoming"])

DETAIL = {200: ItemDetailOut, ERROR_CODES: ErrorOut}


def _item(request, id: int) -> IncomingItem:
    return selectors.get_item(request.auth, id)


def _render(request, pk: int) -> dict:
    return item_detail_out(request, item_queryset(access.visible_items(request.auth).filter(pk=pk)).get())


@router.get("/inbox", response={200: list[ItemOut], ERROR_CODES: ErrorOut}, url_name="inbox")
def inbox(request, state: Query[str] = "", q: Query[str] = "", overdue: Query[bool] = False,
          limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    """Incoming items of the caller's agency they may see (officers: those handed to them), newest first."""
    rows = selectors.inbox(request.auth, state=state, q=q, overdue=overdue)
    return [item_out(request, i) for i in item_queryset(rows)[offset:offset + limit]]


@router.get("/incoming/{id}", response=DETAIL, url_name="incoming")
def get_incoming(request, id: int):
    """One incoming item with its bút phê and distribution history; opening it is recorded."""
    item = _item(request, id)
    incoming.mark_opened(request.auth, item)
    return _render(request, item.pk)


@router.post("/incoming/{id}/register", response=DETAIL, url_name="incoming_register")
def register(request, id: int, payload: Body[RegisterIn | None] = None):
    """Vào sổ (clerk): the next số đến, status 03. Optional ``due_date`` (hạn giải quyết)."""
    incoming.register(request.auth, _item(request, id), due_date=payload.due_date if payload else None,
                      signature_confirmed=bool(payload and payload.signature_confirmed))
    return _render(request, id)


@router.post("/incoming/{id}/refuse", response=DETAIL, url_name="incoming_refuse")
def refuse(request, id: int, payload: ReasonIn):
    """Từ chối tiếp nhận (clerk), with the reason the sender will read: status 02."""
    incoming.refuse(request.auth, _item(request, id), payload.reason)
    return _render(request, id)


@router.post("/incoming/{id}/assign", response=DETAIL, url_name="incoming_assign")
def assign(request, id: int, payload: AssignIn):
    """Phân công (leader): one lead, any support and info people, a deadline; status 04."""
    incoming.assign(request.auth, _item(request, id), lead=payload.lead, support=payload.support,
                    info=payload.info, due_date=payload.due_date,
                    due_in_working_days=payload.due_in_working_days, note=payload.note)
    return _render(request, id)


@router.post("/incoming/{id}/start", response=DETAIL, url_name="incoming_start")
def start(request, id: int):
    """The lead officer starts processing: status 05."""
    incoming.start(request.auth, _item(request, id))
    return _render(request, id)


@router.post("/incoming/{id}/complete", response=DETAIL, url_name="incoming_complete")
def complete(request, id: int, payload: CompleteIn):
    """Hoàn thành (lead officer): status 06, optionally with the reply document of the caller's agency."""
    reply = None
    if payload.reply_document is not None:
        try:
            reply = selectors.get_document(request.auth, payload.reply_document)
        except NotFound:
            raise ServiceError(_("Không tìm thấy văn bản trả lời."), code="invalid_reply",
                               detail={"reply_document": payload.reply_document})
    incoming.complete(request.auth, _item(request, id), note=payload.note, reply_document=reply)
    return _render(request, id)


@router.post("/incoming/{id}/revocation", response=DETAIL, url_name="incoming_revocation")
def revocation(request, id: int, payload: RevocationIn):
    """Answer the sender's revocation request (clerk): accept → 15, refuse with a reason → 16."""
    incoming.answer_revocation(request.auth, _item(request, id), accept=payload.accept, reason=payload.reason)
    return _render(request, id)


@router.post("/incoming/{id}/notes", response={201: NoteOut, ERROR_CODES: ErrorOut}, url_name="incoming_notes")
def add_note(request, id: int, payload: NoteIn):
    """Bút phê (leader): added, never edited."""
    note = incoming.add_note(request.auth, _item(request, id), payload.text)
    return Status(201, note_out(note))


@router.post("/incoming/{id}/forward", response=DETAIL, url_name="incoming_forward")
def forward(request, id: int, payload: ForwardIn):
    """Chuyển: hand the item to colleagues of the same agency (person ids)."""
    incoming.forward(request.auth, _item(request, id), payload.to, note=payload.note)
    return _render(request, id)
