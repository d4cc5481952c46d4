/* Self-diagnosis questionnaire: each answer is saved as a draft when it is clicked. */
(function () {
  "use strict";
  var form = document.getElementById("diagnosis-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status) { return; }
  form.addEventListener("change", function () {
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, headers: {"X-Autosave": "1"}, credentials: "same-origin"
    })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        status.textContent = j.saved
          ? form.dataset.msgSaved + " (" + j.count + " / " + form.dataset.total + ")"
          : j.error;
      })
      .catch(function () { status.textContent = form.dataset.msgFailed; });
  });
})();
