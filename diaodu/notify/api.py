"""Inbox API: my messages (paginated), mark one or all read. Only one's own messages: another
person's message id answers 404."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema

from diaodu.notify import queries, services
from diaodu.notify.models import Kind, Message

router = Router(tags=["消息通知"])
PAGE_SIZE = 50


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


class InboxPage(Schema):
    items: list[MessageOut]
    page: int
    has_next: bool
    unread: int


class InboxFilters(Schema):
    unread: bool = False
    kind: str = ""
    page: int = 1


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


@router.get("/inbox", response=InboxPage, summary="我的消息（分页）")
def inbox(request, filters: Query[InboxFilters]):
    page = max(1, filters.page)
    kind = filters.kind if filters.kind in Kind.values else ""
    start = (page - 1) * PAGE_SIZE
    rows = list(
        queries.inbox(request.user, unread=filters.unread, kind=kind)[start : start + PAGE_SIZE + 1]
    )
    return {
        "items": [_out(m) for m in rows[:PAGE_SIZE]],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "unread": queries.unread_count(request.user),
    }


@router.post("/inbox/{message_id}/read", response=MessageOut, summary="标记一条消息为已读")
def read(request, message_id: int):
    return _out(services.mark_read(request.user, queries.get_message(request.user, message_id)))


@router.post("/inbox/read-all", response=ReadAllOut, summary="全部标为已读")
def read_all(request):
    return {"count": services.mark_all_read(request.user)}
