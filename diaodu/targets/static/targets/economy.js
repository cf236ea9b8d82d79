/* 经济指标 · 横向比位次: growth of each region by month (json_script "eco-data"). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var el = document.getElementById("eco-chart");
  if (!el) { return; }
  var t = window.diaodu.t;
  if (!window.echarts) { el.textContent = t("图表组件未加载"); return; }
  var esc = window.diaodu.escape, d = window.diaodu.json("eco-data");
  var c = echarts.init(el);
  c.setOption({
    tooltip: { trigger: "axis", formatter: function (items) {
      var lines = [esc(items.length ? items[0].axisValueLabel : "")];
      items.forEach(function (p) { lines.push(p.marker + esc(p.seriesName) + ": " + esc(p.value === null || p.value === undefined ? "—" : p.value)); });
      return lines.join("<br>");
    } },
    legend: { type: "scroll", bottom: 0 }, grid: { bottom: 60, left: 40, right: 10 },
    xAxis: { type: "category", data: d.months }, yAxis: { type: "value", name: t("同比%") },
    series: d.regions.map(function (r) {
      return { name: r.name, type: "line", data: r.growth, connectNulls: true,
        lineStyle: { width: r.ours ? 4 : 1 }, symbolSize: r.ours ? 8 : 3, z: r.ours ? 10 : 1 };
    })
  });
  window.addEventListener("resize", function () { c.resize(); });
});
