from django.urls import path

from diaodu.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("new/", views.task_new, name="new"),
    path("export.<str:fmt>", views.table_export, name="export"),
    path("import/", views.table_import, name="import"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/move/<str:action>/", views.task_move, name="move"),
    path("<int:pk>/report/", views.task_report, name="report"),
    path("<int:pk>/split/", views.task_split, name="split"),
    path("<int:pk>/notice/", views.task_notice, name="notice"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
    path("documents/", views.documents, name="documents"),
    path("documents/new/", views.upload, name="upload"),
    path("documents/<int:pk>/", views.review, name="review"),
    path("documents/<int:pk>/alias/", views.learn_alias, name="alias"),
    path("documents/<int:pk>/export.<str:fmt>", views.draft_export, name="draft_export"),
]
