"""The ledger import's reads and writes in bulk: what a 10,000-row file costs is a few queries
per thousand rows, not a dozen per row (issue 20: 10,000 rows in seconds).

:class:`Index` reads, before the rows are checked, every project the file can match (by 项目代码 and
by name under the importing unit), which of them the importer may see and which have stage moves
still without a date. :class:`Batch` collects the creates and updates that the rows plan, every
check already made, and writes them together: ``bulk_create`` / ``bulk_update`` in chunks, the
包保领导 links, the year plans, the stage history and one audit entry per project
(``record_many``), exactly what :func:`create_project` and :func:`update_project` write one by one.
The checks that need the written rows (a secretary's own project must stay theirs, nobody changed
a project since the file was checked) run at the write, and a refused row is taken out of the
batch before anything of it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.signals import post_save

from diaodu import clock
from diaodu.audit.services import Change, record_many
from diaodu.engine import ledger
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Unit, User
from diaodu.projects import queries
from diaodu.projects.models import Project, ProjectYearPlan, StageChange

from .editing import conflict_message, settle_unknown_stage_dates
from .validation import _snapshot

CHUNK = 500  # rows per statement (SQLite's variable limit, PostgreSQL's plan size)


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Index:
    """The projects a file's rows can match, read once for the whole file."""

    def __init__(self, by, unit: Unit, rows) -> None:
        self.by, self.unit = by, unit
        codes, keys = set(), set()
        for r in rows:
            if r.has_errors:
                continue
            code = r.data.get("national_code")
            if code:
                codes.add(code)
                try:
                    codes.add(ledger.validate_national_code(code))
                except ValueError:
                    pass
            if r.data.get("name"):
                keys.add(normalise_name(str(r.data["name"])))
        self.by_code: dict[str, Project] = {}
        self.by_name: dict[str, list[Project]] = {}
        found: dict[int, Project] = {}
        for chunk in _chunks(codes):
            for p in Project.objects.filter(national_code__in=chunk):
                found[p.pk] = self.by_code[p.national_code] = p
        for chunk in _chunks(keys):
            for p in Project.objects.filter(unit__path__startswith=unit.path, name_key__in=chunk):
                p = found.setdefault(p.pk, p)
                self.by_name.setdefault(p.name_key, []).append(p)
        for same in self.by_name.values():
            same.sort(key=lambda p: p.pk)
        self._attach(found)
        # 项目代码 → the project holding it, or None: validation.clean's uniqueness check
        self.code_owners = {c: (self.by_code[c].pk if c in self.by_code else None) for c in codes}
        ids = set(found)
        self.visible: set[int] = set()
        self.undated: set[int] = set()
        for chunk in _chunks(ids):
            self.visible.update(
                queries.visible(by).filter(pk__in=chunk).values_list("pk", flat=True)
            )
            self.undated.update(
                StageChange.objects.filter(project_id__in=chunk, date_unknown=True).values_list(
                    "project_id", flat=True
                )
            )

    def _attach(self, found: dict[int, Project]) -> None:
        """Each project's unit, 责任单位, 项目秘书 and 包保领导, as shared objects read once (a
        select_related would build them again for every row)."""
        Link = Project.lead_officials.through
        links: list[tuple[int, int]] = []
        for chunk in _chunks(found):
            links += Link.objects.filter(project_id__in=chunk).values_list("project_id", "user_id")
        units = Unit.objects.in_bulk(
            {p.unit_id for p in found.values()}
            | {p.responsible_unit_id for p in found.values() if p.responsible_unit_id}
        )
        users = User.objects.in_bulk(
            {p.secretary_id for p in found.values() if p.secretary_id} | {u for _, u in links}
        )
        for p in found.values():
            p.unit = units[p.unit_id]
            if p.responsible_unit_id:
                p.responsible_unit = units[p.responsible_unit_id]
            if p.secretary_id:
                p.secretary = users[p.secretary_id]
        self.lead_map: dict[int, list[User]] = {}
        for pid, uid in links:
            self.lead_map.setdefault(pid, []).append(users[uid])

    def leads(self, project: Project) -> list[User]:
        """The linked 包保领导 of a project of the index (no query)."""
        return list(self.lead_map.get(project.pk, []))

    def code(self, code: str) -> Project | None:
        return self.by_code.get(code)

    def named(self, key: str) -> list[Project]:
        return self.by_name.get(key, [])

    def add(self, project: Project, leads: list[User]) -> None:
        """A project the import created (a later row may name it)."""
        self.by_name.setdefault(project.name_key, []).append(project)
        self.lead_map[project.pk] = list(leads)
        if project.national_code:
            self.by_code[project.national_code] = project
            self.code_owners[project.national_code] = project.pk
        self.visible.add(project.pk)


@dataclass
class Create:
    row: dict  # the report's row entry (turned into 跳过 when the write refuses it)
    number: int
    project: Project
    leads: list[User]
    moves: list[tuple[str, date | None]]


@dataclass
class Update:
    row: dict
    number: int
    project: Project  # the indexed object: the write changes it in place
    version: int
    values: dict
    leads: list[User] | None  # None: the row does not say 包保领导
    fields: dict = field(default_factory=dict)  # unit / secretary / responsible_unit
    moves: list[tuple[str, date | None]] | None = None


class Batch:
    """Creates and updates planned by the rows, written together by :meth:`flush`."""

    def __init__(self, by, index: Index, *, note: str, on_refused, progress=None) -> None:
        self.by, self.index, self.note = by, index, note
        self.on_refused = on_refused  # (number, row entry, message): the report takes the row out
        self.progress = progress
        self.creates: list[Create] = []
        self.updates: list[Update] = []
        self.pending_names: set[str] = set()

    def __len__(self) -> int:
        return len(self.creates) + len(self.updates)

    # ------------------------------------------------------------ flush
    def flush(self) -> None:
        """Write everything planned so far: updates first (they were read before any create)."""
        updates, creates = self.updates, self.creates
        self.updates, self.creates, self.pending_names = [], [], set()
        if updates:
            self._write_updates(updates)
        if creates:
            self._write_creates(creates)

    def _step(self, n: int) -> None:
        if self.progress:
            self.progress(n)

    # ------------------------------------------------------------ creates
    def _write_creates(self, creates: list[Create]) -> None:
        while creates:
            refused = self._try_creates(creates)
            if not refused:
                return
            for c in creates:
                if c.number in refused:
                    self.on_refused(c.number, c.row, refused[c.number])
            creates = [c for c in creates if c.number not in refused]
            for c in creates:  # written again from scratch: forget the rolled-back ids
                c.project.pk = c.project.id = None
                c.project._state.adding = True

    def _try_creates(self, creates: list[Create]) -> dict[int, str]:
        """Write the creates in a savepoint; the rows the importer could not see afterwards are
        refused (the savepoint rolled back) — :func:`editing._own_creation`'s rule."""
        by = self.by
        sid = transaction.savepoint()
        for chunk in _chunks(creates):
            Project.objects.bulk_create([c.project for c in chunk])
            self._step(len(chunk))
        refused: dict[int, str] = {}
        if isinstance(by, User):
            seen = set()
            for chunk in _chunks(creates):
                seen.update(
                    queries.visible(by)
                    .filter(pk__in=[c.project.pk for c in chunk])
                    .values_list("pk", flat=True)
                )
            mine = []
            for c in creates:
                if c.project.pk in seen:
                    continue
                if c.project.secretary_id is None:
                    c.project.secretary = by
                    mine.append(c.project)
                else:
                    refused[c.number] = (
                        f"第{c.number}行：您只能查看本人包保的项目：请把自己填为项目秘书，"
                        "或请园区/督查室录入。"
                    )
            if refused:
                transaction.savepoint_rollback(sid)
                return refused
            for chunk in _chunks(mine):
                Project.objects.bulk_update(chunk, ["secretary"])
        transaction.savepoint_commit(sid)
        today = clock.today()
        Link = Project.lead_officials.through
        links, history, entries = [], [], []
        who = by if isinstance(by, User) else None
        name = getattr(by, "name", "") or "系统"
        for c in creates:
            p = c.project
            links += [Link(project_id=p.pk, user_id=u.pk) for u in c.leads]
            previous = ""
            for st, on in c.moves:
                history.append(
                    StageChange(
                        project=p,
                        from_stage=previous,
                        to_stage=st,
                        on=on or today,
                        date_unknown=on is None,
                        person=who,
                        person_name=name,
                        note=self.note,
                    )
                )
                previous = st
            entries.append(
                Change("project.create", p, after=_snapshot(p, c.leads), only_changes=False)
            )
            self.index.add(p, c.leads)
        self._year_plans([c.project for c in creates])
        for model, objs in ((Link, links), (StageChange, history)):
            for chunk in _chunks(objs, 1000):
                model.objects.bulk_create(chunk)
        for chunk in _chunks(entries, 1000):
            record_many(chunk)
        return {}

    # ------------------------------------------------------------ updates
    def _write_updates(self, updates: list[Update]) -> None:
        current = {}
        for chunk in _chunks(updates):
            current.update(
                Project.objects.select_for_update()
                .filter(pk__in=[u.project.pk for u in chunk])
                .values_list("pk", "version")
            )
        kept = []
        for u in updates:
            if current.get(u.project.pk) != u.version:
                fresh = Project.objects.filter(pk=u.project.pk).first()
                why = conflict_message(fresh, u.version) if fresh else "项目已被删除。"
                self.on_refused(u.number, u.row, f"第{u.number}行：{why}")
            else:
                kept.append(u)
        now = clock.now()
        this_year = now.year
        entries, changed_start, relink = [], [], []
        groups: dict[tuple, list[Project]] = {}  # the same changed columns: one statement
        for u in kept:
            p = u.project
            old_leads = self.index.leads(p)
            before = _snapshot(p, old_leads)
            old_start = p.planned_start_date
            changed = []
            for k, v in (*u.values.items(), *u.fields.items()):
                if getattr(p, k) != v:
                    changed.append(k)
                setattr(p, k, v)
            if p.plan_category and not p.plan_year:
                p.plan_year = this_year
                changed.append("plan_year")
            p.version = u.version + 1
            p.updated_at = now
            groups.setdefault(tuple(sorted(set(changed))), []).append(p)
            leads = old_leads
            if u.leads is not None and {x.pk for x in u.leads} != {x.pk for x in old_leads}:
                leads = u.leads
                relink.append(u)
            entries.append(Change("project.update", p, before=before, after=_snapshot(p, leads)))
            if p.planned_start_date != old_start:
                changed_start.append(p)
        for names, projects in groups.items():
            _save_columns(projects, (*names, "version", "updated_at"))
            self._step(len(projects))
        self._relink(relink)
        self._year_plans([u.project for u in kept])
        for chunk in _chunks(entries, 1000):
            record_many(chunk)
        for u in kept:
            if u.project.pk in self.index.undated:
                settle_unknown_stage_dates(u.project)
        for p in changed_start:  # the procedures app keeps chains in step with 计划开工
            post_save.send(
                sender=Project, instance=p, created=False, update_fields={"planned_start_date"}
            )
        from .importing import apply_moves

        for u in kept:
            if u.moves:
                apply_moves(self.by, u.project, u.moves, self.index.leads(u.project))

    def _relink(self, relink: list[Update]) -> None:
        if not relink:
            return
        Link = Project.lead_officials.through
        for chunk in _chunks(relink):
            Link.objects.filter(project_id__in=[u.project.pk for u in chunk]).delete()
        links = [Link(project_id=u.project.pk, user_id=x.pk) for u in relink for x in u.leads]
        for chunk in _chunks(links, 1000):
            Link.objects.bulk_create(chunk)
        for u in relink:  # the index's picture follows the write
            self.index.lead_map[u.project.pk] = list(u.leads)

    def _year_plans(self, projects: list[Project]) -> None:
        """`validation._year_plan` for many: the plan of the project's year follows its fields."""
        wanted = {(p.pk, p.plan_year): p for p in projects if p.plan_year and p.plan_category}
        if not wanted:
            return
        have = {}
        for chunk in _chunks(wanted):
            for yp in ProjectYearPlan.objects.filter(project_id__in=[k[0] for k in chunk]):
                have[(yp.project_id, yp.year)] = yp
        new, changed = [], []
        for key, p in wanted.items():
            yp = have.get(key)
            if yp is None:
                new.append(
                    ProjectYearPlan(
                        project=p,
                        year=p.plan_year,
                        plan_category=p.plan_category,
                        annual_plan_investment=p.annual_plan_investment,
                    )
                )
            elif (yp.plan_category, yp.annual_plan_investment) != (
                p.plan_category,
                p.annual_plan_investment,
            ):
                yp.plan_category, yp.annual_plan_investment = (
                    p.plan_category,
                    p.annual_plan_investment,
                )
                changed.append(yp)
        for chunk in _chunks(new, 1000):
            ProjectYearPlan.objects.bulk_create(chunk)
        for chunk in _chunks(changed):
            ProjectYearPlan.objects.bulk_update(chunk, ["plan_category", "annual_plan_investment"])


def _save_columns(projects: list[Project], names: tuple[str, ...]) -> None:
    """UPDATE these columns of these projects, one prepared statement run for every row
    (``executemany``: psycopg pipelines it). ``bulk_update``'s CASE per row and column costs
    hundreds of times more Python for a 10,000-row import."""
    fields = [Project._meta.get_field(n) for n in names]
    table = connection.ops.quote_name(Project._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {sets} WHERE {connection.ops.quote_name('id')} = %s"
    params = [
        [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] + [p.pk]
        for p in projects
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 1000):
            cursor.executemany(sql, chunk)


def check_once(memo: dict, key, check) -> None:
    """Run a permission/scope check once per key within an import (they repeat row after row);
    a refusal is remembered and raised again for every row that asks."""
    if key not in memo:
        try:
            check()
            memo[key] = None
        except (ValidationError, PermissionDenied) as exc:
            memo[key] = exc
    if memo[key] is not None:
        raise memo[key]
