// The import job page: poll the job's status while it runs, move the progress bar, and reload the
// page when the job moves on (checked, imported, failed). No inline script: the CSP forbids it.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-progress-bar");
  var text = document.getElementById("job-progress-text");
  var url = box.dataset.statusUrl;
  var status = box.dataset.status;
  var delay = 1000;

  function show(progress) {
    if (progress === null || progress === undefined) {
      bar.removeAttribute("value");
      text.textContent = "";
    } else {
      bar.value = progress;
      text.textContent = progress + "%";
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.status !== status) {
          window.location.reload();
          return;
        }
        if (data) { show(data.progress); }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, delay);
})();
