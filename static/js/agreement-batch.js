/* Agreement batch page: polls the progress (etat.json) and offers the ZIP when finished. */
(function () {
  "use strict";
  var root = document.getElementById("batch");
  if (!root) { return; }
  var bar = document.getElementById("batch-bar");
  var percent = document.getElementById("batch-percent");
  var status = document.getElementById("batch-status");
  var zip = document.getElementById("batch-zip");
  var template = root.dataset.statusTemplate;
  function show(p) {
    bar.value = p.percent;
    percent.textContent = p.percent + " %";
    status.textContent = template
      .replace("{done}", p.done).replace("{total}", p.total).replace("{failed}", p.failed);
  }
  function poll() {
    fetch(root.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (p.finished) { zip.hidden = false; } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (zip.hidden) { setTimeout(poll, 500); }
})();
