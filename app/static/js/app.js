// Huhang: the little JavaScript the pages need. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function showAlert(text, kind) {
    var box = document.getElementById("alerts");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "alert alert-" + (kind || "error");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // Buttons that ask before acting: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Errors from htmx requests are said in the user's language, not swallowed.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var body = document.body.dataset;
    showAlert(status === 403 ? body.msgForbidden : body.msgError, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showAlert(document.body.dataset.msgOffline, "error");
  });

  // Clear an old message once a request succeeds.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var box = document.getElementById("alerts");
      if (box) box.querySelectorAll(".alert-error").forEach(function (el) { el.remove(); });
    }
  });

  // Select the invitation link on focus, for copying.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input.copy")) event.target.select();
  });
})();
