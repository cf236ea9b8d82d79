"""Keep stored schedules in step with the project's 计划开工: a change of the target start date
(made through the projects app, which knows nothing of procedures) recomputes the chain."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from diaodu.projects.models import Project


@receiver(post_save, sender=Project, dispatch_uid="procedures.target_start_changed")
def target_start_changed(sender, instance: Project, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "planned_start_date" not in update_fields):
        return
    from diaodu.procedures.models import ProcedureChain
    from diaodu.procedures.services import recompute_chain

    chain = (
        ProcedureChain.objects.filter(project_id=instance.pk)
        .only("pk", "project_id", "target_start")
        .first()
    )
    if chain is not None and chain.target_start != instance.planned_start_date:
        recompute_chain(chain)
