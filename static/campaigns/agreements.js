// Target agreement pages: the live total of the indicators' points (edit page) and the print button (notice list).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var total = document.getElementById("points-total");
  if (!total) {
    return;
  }
  var warning = document.getElementById("points-warning");

  function sibling(input, name) {
    return document.getElementById(input.id.replace(/-points$/, "-" + name));
  }

  function update() {
    var sum = 0;
    document.querySelectorAll("input.indicator-points").forEach(function (input) {
      var removed = sibling(input, "DELETE");
      var name = sibling(input, "name");
      if ((removed && removed.checked) || (name && !name.value.trim())) {
        return;
      }
      var value = parseFloat(input.value);
      if (!isNaN(value)) {
        sum += value;
      }
    });
    sum = Math.round(sum * 10) / 10;
    total.textContent = String(sum);
    warning.textContent = sum === 100 ? "" : total.dataset.warning;
  }

  document.addEventListener("input", update);
  document.addEventListener("change", update);
  update();
})();
