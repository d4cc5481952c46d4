/* Offer step: only the chosen offer's fields are shown (the ciblée's problem, the approfondie's
   second pilot). Without JavaScript every field stays visible and the server ignores the others. */
(function () {
  "use strict";
  var radios = document.querySelectorAll('#offer-form input[name="offer"]');
  if (!radios.length) { return; }
  function update() {
    var checked = document.querySelector('#offer-form input[name="offer"]:checked');
    var code = checked ? checked.dataset.code : "";
    document.querySelectorAll("#offer-form [data-show-for]").forEach(function (block) {
      block.hidden = code !== "" && block.dataset.showFor !== code;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
