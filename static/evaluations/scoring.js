/* The scoring screen: each row (form.score-row) is saved on its own by htmx (hx-post, the row comes back in
 * place) or, without JavaScript, as a plain form. This file only helps the keyboard and the eye:
 * - the row's total and grade follow the scores as they are typed (the server decides what is stored);
 * - Enter in a score box saves the row (the browser's own submit); Ctrl+Enter does so from a comment;
 * - after a row is saved, the first score box of the next row gets the focus; after a refusal, the first
 *   box in error (or the row's message).
 * No inline script or style: the page's Content-Security-Policy allows neither. */
(function () {
  "use strict";

  // A swapped row takes over only the classes of the row it replaces while it settles: never a style
  // attribute, which the Content-Security-Policy (style-src 'self') refuses.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class"];

  function number(text) {
    // Full-width digits and point from a Chinese input method count as digits (as on the server).
    var value = text.trim().replace(/[\uFF10-\uFF19\uFF0E]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    });
    if (value === "") return null;
    return /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  }

  function grade(container, percent) {
    var bands = (container.getAttribute("data-bands") || "90,80,60").split(",").map(Number);
    var names = ["good", "fairly-good", "average", "poor"];
    for (var i = 0; i < bands.length; i++) {
      if (percent >= bands[i]) return container.getAttribute("data-grade-" + names[i]) || "";
    }
    return container.getAttribute("data-grade-poor") || "";
  }

  function update(row) {
    var container = row.closest("[data-bands]");
    var inputs = row.querySelectorAll(".score-input");
    var total = row.querySelector(".live-total");
    var label = row.querySelector(".live-grade");
    if (!total || !inputs.length) return;
    var sum = 0;
    var filled = 0;
    var bad = false;
    inputs.forEach(function (input) {
      var value = number(input.value);
      if (value === null) return;
      if (isNaN(value)) bad = true;
      else {
        sum += value;
        filled += 1;
      }
    });
    sum = Math.round(sum * 100) / 100;
    var full = Number(row.getAttribute("data-full")) || 100;
    if (bad || filled === 0) {
      total.textContent = "—";
      label.textContent = "";
    } else if (filled < inputs.length) {
      total.textContent = sum + " (" + filled + "/" + inputs.length + ")";
      label.textContent = "";
    } else {
      total.textContent = String(sum);
      label.textContent = container ? grade(container, (sum * 100) / full) : "";
    }
  }

  function firstScore(row) {
    return row && row.querySelector(".score-input:not([disabled])");
  }

  function nextRow(row) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("form.score-row"));
    var index = rows.indexOf(row);
    for (var i = index + 1; i < rows.length; i++) {
      if (firstScore(rows[i])) return rows[i];
    }
    return null;
  }

  function settle(row) {
    update(row);
    var target;
    if (row.classList.contains("is-saved")) {
      var next = nextRow(row);
      target = firstScore(next) || row.querySelector(".save-row");
    } else {
      target = row.querySelector(".is-invalid") || firstScore(row);
    }
    if (target) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    }
  }

  document.querySelectorAll("form.score-row").forEach(update);

  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest("form.score-row");
    if (row && event.target.classList.contains("score-input")) update(row);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (target.tagName === "TEXTAREA" && target.form && target.form.classList.contains("score-row")) {
      event.preventDefault();
      if (target.form.requestSubmit) target.form.requestSubmit();
      else target.form.querySelector(".save-row").click();
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var old = event.detail && event.detail.target;
    if (!old || !old.id || old.id.indexOf("row-") !== 0) return;
    var row = document.getElementById(old.id);
    if (row) settle(row);
  });

  /* A row whose answer is not a row (a lost session, a server error): load the page plainly instead. */
  document.body.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("score-row")) {
      elt.removeAttribute("hx-post");
      elt.submit();
    }
  });
})();
