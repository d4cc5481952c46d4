/* Export page: polls the job's state (etat.json) and shows the download link when done. */
(function () {
  "use strict";
  var root = document.getElementById("export");
  if (!root) { return; }
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var state = document.getElementById("export-state");
  var link = document.getElementById("export-link");
  function poll() {
    fetch(root.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        bar.value = j.percent;
        percent.textContent = j.percent + " %";
        state.textContent = (j.status_display || j.status) + " — " + j.done + " / " + j.total;
        if (j.download_url) {
          link.querySelector("a").href = j.download_url;
          link.hidden = false;
        } else if (j.status !== "failed") {
          setTimeout(poll, 1500);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (root.dataset.finished !== "true") { poll(); }
})();
