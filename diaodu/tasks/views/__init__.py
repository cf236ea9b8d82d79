"""Pages of the tasks app: ``task_pages`` (list, queue, detail, buttons, new), ``document_pages``
(upload, review, aliases) and ``board_pages`` (board, files, import)."""

from .board_pages import board, draft_export, notice_docx, table_export, table_import
from .document_pages import documents, learn_alias, review, upload
from .task_pages import (
    notice_reply,
    queue,
    report_file,
    task_detail,
    task_edit,
    task_list,
    task_move,
    task_new,
    task_notice,
    task_report,
    task_split,
)

__all__ = [
    "board",
    "documents",
    "draft_export",
    "learn_alias",
    "notice_docx",
    "notice_reply",
    "queue",
    "report_file",
    "review",
    "table_export",
    "table_import",
    "task_detail",
    "task_edit",
    "task_list",
    "task_move",
    "task_new",
    "task_notice",
    "task_report",
    "task_split",
    "upload",
]
