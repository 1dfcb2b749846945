/* Nothing typed is lost: every form marked data-draft="<key>" is copied into this device's
 * localStorage as it is typed, until the server confirms the save (the next page carries
 * data-draft-clear="<key>"). Coming back to the form, the user is offered the kept text
 * (data-draft-banner="<key>"), with a warning when the record was saved since (data-draft-version).
 * A form the server shows again after a refused save (data-draft-bound="1") already holds the input.
 * Also: the "add an item" button of a formset (data-formset-add, <template data-formset-template>).
 * No inline script or style: the page's Content-Security-Policy allows neither. */
(function () {
  "use strict";
  var PREFIX = "portal-draft:";
  var MAX_AGE = 30 * 24 * 3600 * 1000;
  var store;
  try {
    store = window.localStorage;
    store.setItem(PREFIX + "probe", "1");
    store.removeItem(PREFIX + "probe");
  } catch (e) {
    store = null;
  }

  function totalInput(form, prefix) {
    return form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  }

  function addRow(form, prefix) {
    var template = form.querySelector('template[data-formset-template="' + prefix + '"]');
    var body = form.querySelector('[data-formset-body="' + prefix + '"]');
    var total = totalInput(form, prefix);
    var max = form.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (!template || !body || !total) return false;
    var count = parseInt(total.value, 10);
    if (max && count >= parseInt(max.value, 10)) return false;
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(count)));
    total.value = String(count + 1);
    return true;
  }

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var form = button.closest("form");
    button.hidden = false;
    button.addEventListener("click", function () {
      addRow(form, button.getAttribute("data-formset-add"));
      form.dispatchEvent(new Event("input"));
    });
  });

  if (!store) return;

  function isTotal(name) {
    return /-TOTAL_FORMS$/.test(name);
  }

  function collect(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.type === "hidden" && !isTotal(el.name)) return;
      if (el.type === "checkbox") values[el.name] = el.checked;
      else if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.map.call(el.selectedOptions, function (o) { return o.value; });
      } else values[el.name] = el.value;
    });
    return values;
  }

  function restore(form, values) {
    Object.keys(values).forEach(function (name) {
      if (!isTotal(name)) return;
      var prefix = name.slice(0, -"-TOTAL_FORMS".length);
      var total = totalInput(form, prefix);
      while (total && parseInt(total.value, 10) < parseInt(values[name], 10) && addRow(form, prefix)) {
        /* grow the formset to the rows typed before */
      }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!(el.name in values) || el.type === "hidden" || el.type === "file") return;
      var value = values[el.name];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else if (el.type === "radio") el.checked = el.value === value;
      else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
      } else el.value = value;
    });
  }

  function read(key) {
    try {
      var draft = JSON.parse(store.getItem(key));
      return draft && Date.now() - draft.savedAt < MAX_AGE ? draft : null;
    } catch (e) {
      return null;
    }
  }

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(PREFIX + el.getAttribute("data-draft-clear"));
  });
  Object.keys(store).forEach(function (key) {
    if (key.indexOf(PREFIX) === 0 && !read(key)) store.removeItem(key);
  });

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var name = form.getAttribute("data-draft");
    var key = PREFIX + name;
    var version = form.getAttribute("data-draft-version") || "";
    var banner = document.querySelector('[data-draft-banner="' + name + '"]');
    var kept = read(key);
    if (kept && banner && form.getAttribute("data-draft-bound") !== "1"
        && JSON.stringify(kept.values) !== JSON.stringify(collect(form))) {
      banner.hidden = false;
      if (kept.version !== version) banner.querySelector("[data-draft-stale]").hidden = false;
      banner.querySelector("[data-draft-restore]").addEventListener("click", function () {
        restore(form, kept.values);
        banner.hidden = true;
      });
      banner.querySelector("[data-draft-discard]").addEventListener("click", function () {
        store.removeItem(key);
        banner.hidden = true;
      });
    }
    var timer = null;
    function remember() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try {
          store.setItem(key, JSON.stringify({ savedAt: Date.now(), version: version, values: collect(form) }));
        } catch (e) {
          /* storage full or refused: the server-side draft still holds what was saved */
        }
      }, 300);
    }
    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
  });
})();
