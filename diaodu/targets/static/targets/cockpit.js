/* 领导驾驶舱: pace, funnel and light charts and the project map. Data from json_script blocks;
 * links from data attributes of #cockpit-charts. Names from data are always text: escaped in
 * ECharts formatters, DOM nodes with textContent in Leaflet tooltips. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var root = document.getElementById("cockpit-charts");
  if (!root) { return; }
  var $ = window.diaodu.json, esc = window.diaodu.escape, t = window.diaodu.t;
  var dark = document.body.classList.contains("screen");
  var text = dark ? "#dfe7f3" : "#1d273b";
  var ledgerUrl = root.dataset.ledgerUrl, unit = root.dataset.unit;
  var charts = [];
  function axisTooltip(items) {
    var lines = [esc(items.length ? items[0].axisValueLabel : "")];
    items.forEach(function (p) { lines.push(p.marker + esc(p.seriesName) + "：" + esc(p.value === null || p.value === undefined ? "—" : p.value)); });
    return lines.join("<br>");
  }
  function itemTooltip(p) { return p.marker + esc(p.name) + "：" + esc(p.value); }
  if (window.echarts) {
    var pace = $("pace-data"), sel = document.getElementById("pace-select"), pc = echarts.init(document.getElementById("pace-chart"));
    pace.indicators.forEach(function (ind, i) { var o = document.createElement("option"); o.value = i; o.textContent = ind.name; sel.appendChild(o); });
    var drawPace = function (i) {
      var ind = pace.indicators[i]; if (!ind) { return; }
      pc.setOption({ textStyle: { color: text }, tooltip: { trigger: "axis", formatter: axisTooltip }, legend: { data: [t("序时进度"), t("实际完成")], textStyle: { color: text } },
        grid: { left: 60, right: 24, bottom: 30 }, xAxis: { type: "category", data: pace.months },
        yAxis: { type: "value", name: ind.name },
        series: [{ name: t("序时进度"), type: "line", data: ind.expected, lineStyle: { type: "dashed" },
                   markLine: { symbol: "none", data: [{ yAxis: ind.target, name: t("年度目标") }], label: { position: "insideEndTop", formatter: t("年度目标") + " {c}", color: text } } },
                 { name: t("实际完成"), type: "line", data: ind.actual, connectNulls: false, areaStyle: { opacity: 0.15 } }] }, true);
    };
    sel.addEventListener("change", function () { drawPace(+sel.value); });
    drawPace(0); charts.push(pc);
    var fc = echarts.init(document.getElementById("funnel-chart"));
    fc.setOption({ textStyle: { color: text }, tooltip: { formatter: itemTooltip }, series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%", gap: 2, label: { formatter: "{b} {c}", color: text }, data: $("funnel-data") }] });
    fc.on("click", function (p) { window.location = ledgerUrl + "?stage=" + encodeURIComponent(p.data.stage) + "&unit=" + encodeURIComponent(unit); });
    charts.push(fc);
    var lights = $("light-data"), names = { red: t("红灯"), yellow: t("黄灯"), green: t("绿灯") }, colors = { red: "#d63939", yellow: "#f59f00", green: "#2fb344" };
    var lc = echarts.init(document.getElementById("light-chart"));
    lc.setOption({ textStyle: { color: text }, tooltip: { formatter: itemTooltip }, series: [{ type: "pie", stillShowZeroSum: false, radius: ["38%", "60%"], label: { position: "inside", formatter: "{b}\n{c}", color: "#fff" },
      data: Object.keys(lights).map(function (k) { return { name: names[k] || k, value: lights[k], itemStyle: { color: colors[k] }, key: k }; }) }] });
    charts.push(lc);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.dataset.chartsReady = "1";
  } else {
    document.getElementById("pace-chart").textContent = t("图表组件未加载");
  }
  if (window.L) {
    var pts = $("map-data"), tile = $("tile-url"), el = document.getElementById("project-map");
    var outlines = $("map-outlines") || [];
    var map = L.map(el, { attributionControl: false, zoomControl: true });
    if (tile) { L.tileLayer(tile, { maxZoom: 18 }).addTo(map); } else { el.classList.add(dark ? "map-blank-dark" : "map-blank"); }
    var group = [];
    // the zone and its parks from the system's own data: a map without any tile server
    outlines.forEach(function (o) {
      var zone = o.kind !== "park";
      var poly = L.polygon(o.ring, { color: zone ? "#667382" : "#2fb344", weight: zone ? 2 : 1.5, dashArray: zone ? "6 4" : null,
        fillColor: zone ? (dark ? "#1b2434" : "#f1f5f9") : "#2fb344", fillOpacity: zone ? 0.9 : 0.12, interactive: false, className: "map-outline map-outline-" + o.kind }).addTo(map);
      if (!zone) { poly.bindTooltip(window.diaodu.textNode(o.name), { permanent: true, direction: "center", className: "map-outline-label" }); }
      if (o.own) { o.ring.forEach(function (p) { group.push(p); }); }
    });
    pts.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#206bc4", weight: 2, fillOpacity: 0.7 }).addTo(map);
      m.bindTooltip(window.diaodu.textNode(p.name + " (" + p.stage + ")"));
      m.on("click", function () { window.location = p.url; });
      group.push([p.lat, p.lon]);
    });
    if (group.length) { map.fitBounds(group, { padding: [20, 20], maxZoom: 14 }); } else { map.setView([35, 110], 4); }
    document.body.dataset.mapReady = "1";
  }
});
