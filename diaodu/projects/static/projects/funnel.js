/* The project funnel chart (项目漏斗). Data from the json_script "funnel-data"; the list URL and
 * the unit from data attributes of #funnel. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var el = document.getElementById("funnel");
  if (!el) { return; }
  var t = window.diaodu.t;
  if (!window.echarts) { el.textContent = t("图表组件未加载"); return; }
  var esc = window.diaodu.escape, data = window.diaodu.json("funnel-data");
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: function (p) { return esc(p.name) + ": " + esc(p.value) + " " + t("个") + ", " + (p.data.investment / 10000).toFixed(2) + " " + t("亿元"); } },
    series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%", gap: 2,
      label: { formatter: "{b} {c}" }, data: data }]
  });
  chart.on("click", function (p) {
    var url = el.dataset.listUrl + "?stage=" + encodeURIComponent(p.data.stage);
    if (el.dataset.unit) { url += "&unit=" + encodeURIComponent(el.dataset.unit); }
    window.location = url;
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
