// Download centre: poll the status of running exports and reload the list when one finishes.
(function () {
  "use strict";
  var rows = document.querySelectorAll("[data-status-url]");
  var running = Array.prototype.filter.call(rows, function (row) {
    return row.dataset.status === "pending" || row.dataset.status === "running";
  });
  if (!running.length) return;
  function poll() {
    var pending = running.map(function (row) {
      return fetch(row.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          var bar = row.querySelector(".job-progress");
          var label = row.querySelector(".job-percentage");
          if (bar) bar.value = job.percentage;
          if (label) label.textContent = job.percentage + "%";
          row.querySelector(".job-status").textContent = job.status_display;
          return job.status === "pending" || job.status === "running";
        });
    });
    Promise.all(pending).then(function (stillRunning) {
      if (stillRunning.indexOf(true) === -1) {
        window.location.reload();
      } else {
        window.setTimeout(poll, 1500);
      }
    }).catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
