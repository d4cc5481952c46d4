/* Behaviour shared by every page (no inline script: the Content Security Policy forbids it). */
(function () {
  "use strict";
  // A <select data-autosubmit> submits its form when changed (language switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A checkbox with data-select-all="<form id>" ticks every "selection" box of that form.
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      var selector = 'input[name="selection"][form="' + master.dataset.selectAll + '"]';
      document.querySelectorAll(selector).forEach(function (box) { box.checked = master.checked; });
    });
  });
  // A form with data-confirm="question" asks before an irreversible action is sent.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // A page that comes back with errors puts the focus on their summary (GOV.UK pattern):
  // a screen reader reads it first, each line links to its field.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
