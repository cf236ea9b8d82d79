/* Phone-first lists: on a narrow screen a table marked .table-stack shows each row as a card,
   each cell on its own line with its column's name (from the table head) in front of it.
   This file only copies the head's names into data-label; the layout is in diaodu.css. */
(function () {
  "use strict";
  function label(root) {
    (root || document).querySelectorAll("table.table-stack").forEach(function (table) {
      var heads = [];
      table.querySelectorAll("thead tr:first-child th").forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        for (var i = 0; i < span; i++) heads.push((th.textContent || "").trim());
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (!td.hasAttribute("data-label") && heads[col]) td.setAttribute("data-label", heads[col]);
          col += parseInt(td.getAttribute("colspan") || "1", 10);
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (e) { label(e.target); });
})();
