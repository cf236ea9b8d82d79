/* Diaodu shell behaviour. Every page runs under a strict Content-Security-Policy (script-src
 * 'self', no eval): there is no inline script or on*= attribute anywhere, and Alpine is the CSP
 * build, so its components are registered here and templates only name them. */
(function () {
  "use strict";

  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;

    // A part shown or hidden by a button: x-data="disclosure" data-open="1", @click="flip".
    Alpine.data("disclosure", function () {
      return {
        open: false,
        init: function () { this.open = this.$el.dataset.open === "1"; },
        flip: function () { this.open = !this.open; }
      };
    });

    // Ledger column chooser: checkboxes x-model="picked", hidden input :value="joined".
    Alpine.data("columnPicker", function () {
      return {
        picked: [],
        init: function () { this.picked = (this.$el.dataset.picked || "").split(",").filter(Boolean); },
        get joined() { return this.picked.join(","); }
      };
    });

    // Notification channel form: fields depend on the channel kind.
    Alpine.data("channelForm", function () {
      return {
        kind: "",
        init: function () { this.kind = this.$el.dataset.kind || ""; },
        get isEmail() { return this.kind === "email"; },
        get isWebhook() { return this.kind !== "email"; },
        get isDingtalk() { return this.kind === "dingtalk"; }
      };
    });

    // Role form: the unit list only for 自定数据 (data scope 2).
    Alpine.data("roleForm", function () {
      return {
        scope: "",
        init: function () { this.scope = String(this.$el.dataset.scope || ""); },
        get isCustom() { return String(this.scope) === "2"; }
      };
    });

    // Repeated rows (problems raised with a report): x-for="i in rows", @click="add".
    Alpine.data("repeatRows", function () {
      return { rows: 1, add: function () { this.rows += 1; } };
    });
  });

  // <form data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <form data-path-prefix="/procedures/calendar/" data-path-field="year">: go to prefix + value + "/".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.dataset || !form.dataset.pathPrefix) { return; }
    var field = form.elements[form.dataset.pathField];
    if (!field) { return; }
    event.preventDefault();
    window.location.href = form.dataset.pathPrefix + encodeURIComponent(field.value.trim()) + "/";
  });

  // [data-form-controls]: Tabler classes on the inputs Django renders without them.
  function styleControls(root) {
    root.querySelectorAll("input, select, textarea").forEach(function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      if (["hidden", "checkbox", "radio", "submit", "button"].indexOf(type) >= 0) { return; }
      if (el.classList.contains("form-control") || el.classList.contains("form-select")) { return; }
      el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-form-controls]").forEach(styleControls);
  });
})();
