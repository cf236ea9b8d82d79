/* The Gantt chart scrolls inside its frame on a phone: open it with today in view (a third of
   the way in from the sticky names), not at the chain's first month. */
(function () {
  "use strict";
  function show(frame) {
    var pct = parseFloat(frame.getAttribute("data-today-pct"));
    var chart = frame.querySelector(".gantt");
    var track = frame.querySelector(".g-track");
    if (isNaN(pct) || !chart || !track || frame.scrollWidth <= frame.clientWidth) return;
    var label = track.getBoundingClientRect().left - chart.getBoundingClientRect().left;
    var visible = frame.clientWidth - label;
    var x = (track.getBoundingClientRect().width * pct) / 100;
    frame.scrollLeft = Math.max(0, x - visible / 3);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".gantt-scroll[data-today-pct]").forEach(show);
  });
})();
