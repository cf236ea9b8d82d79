"""Inbox API: my messages (paginated), mark one or all read. Only one's own messages: another
person's message id answers 404."""

# No `from __future__ import annotations`: @paginate wraps the views, and ninja resolves
# their parameter annotations (Query[...]) in the wrapper's module, not this one.

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from diaodu.notify import queries, services
from diaodu.notify.filters import InboxFilterSet
from diaodu.notify.models import Message
from diaodu.pagination import Paged, Rows

router = Router(tags=["消息通知"])


class MessageOut(Schema):
    id: int
    title: str
    body: str
    link: str
    kind: str
    kind_label: str
    unit_id: int | None
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class InboxFilters(Schema):
    unread: bool = False
    kind: str = ""


class ReadAllOut(Schema):
    count: int


def _out(m: Message) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "body": m.body,
        "link": m.link,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "unit_id": m.unit_id,
        "created_at": m.created_at,
        "read_at": m.read_at,
        "is_read": m.read_at is not None,
    }


@router.get("/inbox", response=list[MessageOut], summary="我的消息（分页）")
@paginate(Paged)
def inbox(request, filters: Query[InboxFilters]):
    fs = InboxFilterSet(request.GET, queryset=queries.inbox(request.user), request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_out(m) for m in rows])


@router.get("/inbox/unread", response=ReadAllOut, summary="未读消息数")
def unread(request):
    return {"count": queries.unread_count(request.user)}


@router.post("/inbox/{message_id}/read", response=MessageOut, summary="标记一条消息为已读")
def read(request, message_id: int):
    return _out(services.mark_read(request.user, queries.get_message(request.user, message_id)))


@router.post("/inbox/read-all", response=ReadAllOut, summary="全部标为已读")
def read_all(request):
    return {"count": services.mark_all_read(request.user)}
