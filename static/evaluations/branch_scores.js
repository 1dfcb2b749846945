/* The member scoring screen: each row is its own form, saved by htmx in place (the row comes back from
 * the server). After a save the cursor moves on to the next member's first score; a row the server sent
 * back with errors keeps the cursor on its first wrong field. Typing shows the row's total before saving.
 * No inline script (Content-Security-Policy). */
(function () {
  "use strict";

  function scoreInputs(row) {
    return Array.prototype.slice.call(row.querySelectorAll("input.score-input"));
  }

  function firstEnabled(row) {
    return scoreInputs(row).filter(function (input) { return !input.disabled; })[0];
  }

  function provisionalTotal(row) {
    var inputs = scoreInputs(row), sum = 0, filled = 0;
    inputs.forEach(function (input) {
      var value = input.value.trim();
      if (value !== "" && !isNaN(Number(value))) { sum += Number(value); filled += 1; }
    });
    var total = row.querySelector(".total");
    if (total && filled === inputs.length && inputs.length) {
      total.textContent = String(Math.round(sum * 100) / 100);
    }
  }

  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest("tr.score-row");
    if (row && event.target.classList.contains("score-input")) provisionalTotal(row);
  });

  htmx.onLoad(function (element) {
    if (!element.matches || !element.matches("tr.score-row")) return;
    var wrong = element.querySelector('[aria-invalid="true"]');
    if (wrong) { wrong.focus(); return; }
    if (element.dataset.saved) {
      var next = element.nextElementSibling;
      while (next && !firstEnabled(next)) next = next.nextElementSibling;
      if (next) firstEnabled(next).focus();
    }
  });
})();
