// The criteria set form: the total weight of the criteria kept (removed and empty rows left out), live.
(function () {
  "use strict";
  var total = document.getElementById("weight-total");
  if (!total) {
    return;
  }
  var warning = document.getElementById("weight-warning");

  function sibling(input, name) {
    return document.getElementById(input.id.replace(/-weight$/, "-" + name));
  }

  function update() {
    var sum = 0;
    document.querySelectorAll("input.criterion-weight").forEach(function (input) {
      var removed = sibling(input, "DELETE");
      var title = sibling(input, "title");
      if ((removed && removed.checked) || (title && !title.value.trim())) {
        return;
      }
      var value = parseFloat(input.value);
      if (!isNaN(value)) {
        sum += value;
      }
    });
    sum = Math.round(sum * 100) / 100;
    total.textContent = String(sum);
    warning.textContent = sum === 100 ? "" : total.dataset.warning;
  }

  document.addEventListener("input", update);
  document.addEventListener("change", update);
  update();
})();
