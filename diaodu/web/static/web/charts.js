/* Shared helpers for charts and maps: every name that came from data reaches the page as text. */
(function () {
  "use strict";
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  window.diaodu = window.diaodu || {};
  // ECharts formatters return HTML: escape every value taken from data.
  window.diaodu.escape = function (value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  };
  // Leaflet inserts a string tooltip as HTML: give it a DOM node whose text is set instead.
  window.diaodu.textNode = function (text, tag) {
    var el = document.createElement(tag || "span");
    el.textContent = text;
    return el;
  };
  window.diaodu.json = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  // The interface language's words for the scripts' own labels (json_script "js-i18n" of the
  // shell, from diaodu.web.context.JS_STRINGS); the Chinese text is the key and the fallback.
  var words = null;
  window.diaodu.t = function (text) {
    if (words === null) { words = window.diaodu.json("js-i18n") || {}; }
    return words[text] || text;
  };
})();
