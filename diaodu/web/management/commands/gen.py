"""`diaodu gen --projects N [--seed S] [--zones Z] [--batch 5000] [--weeks 8]`: synthetic
benchmark data of full size — the unit tree, people and N projects (diaodu/projects/gen.py),
then every generated zone's weekly loop: report cycle, W weeks of 周报, the latest week's lights
and problems with their history (diaodu/supervision/synthetic.py). Here, above both apps, so
that each writes only its own records."""

from django.core.management.base import BaseCommand, CommandError

from diaodu.audit.context import acting_as
from diaodu.org.models import Unit
from diaodu.projects.gen import generate
from diaodu.projects.synthetic import Plan
from diaodu.supervision.synthetic import generate_activity


class Command(BaseCommand):
    help = (
        "生成合成基准数据：省→市→区县→开发区→园区/部门的单位树、数百名生成人员（gen_… 账号，不可登录）、N 个项目"
        "（含阶段变更、包保领导、年度计划），以及各开发区的报送周期、近 W 周周报、最近一周亮灯和问题（含处理记录）。"
        "仅用于性能测试：为求速度以 bulk_create 分批直接写库，不逐条经过业务服务（每部分写一条汇总审计记录）。"
        "同一种子重复执行不会新增数据；中断后重跑同一命令会继续。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help="项目数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument(
            "--zones", type=int, default=None, help="开发区个数（默认：每 1000 个项目一个，1–200）"
        )
        parser.add_argument("--batch", type=int, default=5000, help="每批写入的项目数")
        parser.add_argument(
            "--weeks", type=int, default=8, help="生成近几周的周报与问题（0：只生成项目台账）"
        )

    def handle(self, *args, projects, seed, zones, batch, weeks, **options):
        if projects < 0 or (zones is not None and zones < 1) or batch < 1 or seed < 0:
            raise CommandError("参数无效：--projects ≥ 0，--zones ≥ 1，--batch ≥ 1，--seed ≥ 0。")
        if not 0 <= weeks <= 104:
            raise CommandError("参数无效：--weeks 应在 0–104 之间。")
        out = lambda s: self.stdout.write(s)  # noqa: E731
        generate(projects, seed, zones, batch, out=out)
        if weeks:
            root = Unit.objects.get(code=Plan(seed, projects, zones).root_code)
            with acting_as(None, channel="cli"):
                generate_activity(root, seed=seed, weeks=weeks, out=out)
