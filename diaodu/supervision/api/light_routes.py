"""Light endpoints (亮灯): list, compute, override."""

# No `from __future__ import annotations`: @paginate wraps the views, and ninja resolves
# their parameter annotations (Query[...]) in the wrapper's module, not this one.

from django.core.exceptions import ValidationError
from ninja import Query
from ninja.pagination import paginate

from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.supervision import queries, services
from diaodu.supervision.filters import LightFilterSet

from .common import _light, _where, router
from .schemas import ComputeIn, LightOut, OverrideIn, Where


# ---------------------------------------------------------------- lights
@router.get("/lights", response=list[LightOut], summary="项目亮灯（含原因；红灯在前，分页）")
@paginate(Paged)
def list_lights(request, where: Query[Where], color: str = ""):
    require(request.user, "projects.view")
    fs = LightFilterSet(request.GET, request=request)
    fs.raise_errors()
    unit, _cycle, period = _where(request, where.unit, where.period)
    lights = queries.sort_lights(
        fs.filter_queryset(queries.period_lights(request.user, unit, period))
    )
    return Rows(lights, page=lambda rows: [_light(lt) for lt in rows])


@router.post("/lights/compute", response=dict, summary="计算亮灯")
def compute_lights(request, payload: ComputeIn):
    unit, cycle, period = _where(request, payload.unit_id, payload.period)
    if cycle is None:
        raise ValidationError({"unit_id": "该单位尚未设置报送周期。"})
    return services.compute_lights(request.user, cycle, period, unit=unit).as_dict()


@router.post("/lights/{light_id}/override", response=LightOut, summary="调整亮灯（须写明理由）")
def override_light(request, light_id: int, payload: OverrideIn):
    lt = services.override_light(
        request.user, queries.get_light(request.user, light_id), payload.color, payload.reason
    )
    return _light(queries.get_light(request.user, lt.pk))
