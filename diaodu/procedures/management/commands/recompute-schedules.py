"""diaodu recompute-schedules [--unit CODE]: recompute every stored 倒排工期 schedule."""

from django.core.management.base import BaseCommand, CommandError

from diaodu.audit.context import acting_as


class Command(BaseCommand):
    help = "重新计算全部（或某单位及其下级）项目的前期手续排期：节假日安排变更后或每晚运行。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="", help="单位编码：只计算该单位及其下级单位的项目")
        parser.add_argument("--batch", type=int, default=2000, help="每批链条数（默认 2000）")

    def handle(self, *args, **options):
        from diaodu.org.models import Unit
        from diaodu.procedures import services

        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位编码“{options['unit']}”不存在。")
        if options["batch"] < 1:
            raise CommandError("--batch 应为正整数。")
        verbosity = options["verbosity"]

        def progress(done, total):
            if verbosity > 1:
                self.stdout.write(f"  {done}/{total}")

        with acting_as(None, channel="cli"):
            stats = services.recompute_all(
                unit=unit, batch_size=options["batch"], progress=progress
            )
        self.stdout.write(
            f"已重新计算 {stats.chains} 个项目、{stats.items} 项手续（更新 {stats.items_written} 项），"
            f"引擎 {stats.engine_seconds:.2f} 秒，共 {stats.total_seconds:.2f} 秒。"
        )
        if stats.errors:
            self.stdout.write(
                self.style.WARNING(f"{stats.errors} 个项目的链条数据有误，未能计算（见链条页面）。")
            )
        for w in sorted(stats.warnings):
            self.stdout.write(self.style.WARNING(w))
