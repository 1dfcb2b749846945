/* The ballot page: the slip's QR link carries the code in the URL fragment (/v/#CODE), which the browser
 * never sends to the server. Move it into the code form, drop it from the address bar and the history,
 * and post the form: so the code travels only in a POST body, never in a URL a server could log.
 * No inline script: the page's Content-Security-Policy forbids it. */
(function () {
  "use strict";
  var hash = window.location.hash;
  if (!hash || hash.length < 2) return;
  var code = decodeURIComponent(hash.slice(1)).replace(/[^0-9A-Za-z-]/g, "");
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var form = document.getElementById("code-form");
  var input = form && form.querySelector("[data-code-input]");
  if (!input || !code) return;
  input.value = code;
  form.submit();
})();
