"""`diaodu demo` stays in the demo: after `diaodu gen` it touches no generated project, and a
second run changes nothing and writes no audit entry."""

from io import StringIO

from django.core.management import call_command

from diaodu.audit.models import AuditEntry
from diaodu.org.models import Unit
from diaodu.projects.models import Project, StageChange


def _demo(stdout):
    """The demo builders that build on projects (the full `diaodu demo` adds supervision and
    targets on top: slow, and confined by their own zone lookups)."""
    from django.db import transaction

    from diaodu.audit.context import acting_as
    from diaodu.org import demo as org_demo
    from diaodu.procedures import demo as procedures_demo
    from diaodu.projects import demo as projects_demo

    with acting_as(None, channel="cli"), transaction.atomic():
        for builder in (org_demo, projects_demo, procedures_demo):
            stdout.write(f"{builder.__name__}: {builder.build()}\n")


def test_demo_after_gen_touches_no_generated_project_and_runs_once(db):
    call_command("gen", "--projects", "60", "--seed", "7", stdout=StringIO())
    root = Unit.objects.get(code="GEN-S7")
    generated = Project.objects.filter(unit__path__startswith=root.path)
    ids = [str(pk) for pk in generated.values_list("pk", flat=True)]
    # stages a demo builder would pick up if it looked beyond the demo zone
    assert generated.filter(stage__in=["signed", "landed", "preparing"]).exists()
    before = {p.pk: (p.version, p.updated_at, p.stage) for p in generated}
    changes = StageChange.objects.filter(project__in=generated).count()
    audit_before = AuditEntry.objects.count()

    _demo(StringIO())
    assert AuditEntry.objects.count() > audit_before  # the demo zone was built …
    assert {p.pk: (p.version, p.updated_at, p.stage) for p in generated} == before
    assert StageChange.objects.filter(project__in=generated).count() == changes
    assert not AuditEntry.objects.filter(object_type="projects.project", object_id__in=ids).exists()
    from diaodu.procedures.models import ProcedureChain

    assert not ProcedureChain.objects.filter(project__in=generated).exists()
    assert ProcedureChain.objects.exists()  # … with its own chains

    after_first = AuditEntry.objects.count()
    out = StringIO()
    _demo(out)
    assert AuditEntry.objects.count() == after_first, out.getvalue()  # nothing changed
