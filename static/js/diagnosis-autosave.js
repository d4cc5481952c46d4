/* Self-diagnosis, one theme per page: each answer is saved as a draft when it is clicked,
   and the sticky progress bar follows. Without JavaScript, the buttons save the page. */
(function () {
  "use strict";
  var form = document.getElementById("diagnosis-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status) { return; }
  var count = document.getElementById("answered-count");
  var meter = document.getElementById("answered-meter");
  form.addEventListener("change", function () {
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, headers: {"X-Autosave": "1"}, credentials: "same-origin"
    })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!j.saved) { status.textContent = j.error; return; }
        status.textContent = form.dataset.msgSaved + " (" + j.count + " / " + j.total + ")";
        if (count) { count.textContent = j.count; }
        if (meter) { meter.value = j.count; meter.textContent = j.count + " / " + j.total; }
      })
      .catch(function () { status.textContent = form.dataset.msgFailed; });
  });
})();
