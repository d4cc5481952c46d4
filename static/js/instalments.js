/* The Region's instalments: the running total of the selection next to the "Approuver" button
   (the confirmation page states it again, computed by the server). */
(function () {
  "use strict";
  var form = document.getElementById("instalment-approval");
  var output = document.getElementById("selection-total");
  if (!form || !output) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="instalment"]'));
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  function cents(text) {  // "1464.50" → 146450, without floating point
    var parts = String(text).split(".");
    var units = parseInt(parts[0], 10) || 0;
    var fraction = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
    return units * 100 + (units < 0 ? -fraction : fraction);
  }
  function update() {
    var chosen = boxes.filter(function (box) { return box.checked; });
    var total = chosen.reduce(function (sum, box) { return sum + cents(box.dataset.amount); }, 0);
    if (!chosen.length) {
      output.textContent = output.dataset.none;
    } else if (chosen.length === 1) {
      output.textContent = output.dataset.one + " " + euros.format(total / 100);
    } else {
      output.textContent = chosen.length + " " + output.dataset.many + " " + euros.format(total / 100);
    }
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  var all = document.querySelector("input[data-select-instalments]");
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  update();
})();
