// Huhang: the little JavaScript the pages need. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // --- saying and focusing what changed (WCAG 3.3.1, 4.1.3, 2.4.3) ----------------------------------
  // The page has one live region from the start (#live, beside #alerts in base.html): results of htmx
  // requests are written into it, never brought in as new role=status nodes (which screen readers
  // often miss). Focus never falls to <body>: after a failed submit it goes to the first invalid field
  // (scrolled into view), after another swap that took the focused element away to the new content's
  // heading.
  function announce(text) {
    var live = document.getElementById("live");
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!live || !text) return;
    live.textContent = "";
    // a change the screen reader sees even when the same words come twice
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusOn(el) {
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) el.setAttribute("tabindex", "-1");
    el.focus({preventScroll: true});
    el.scrollIntoView({block: "center"});
  }

  function firstInvalid(root) {
    var el = root.querySelector("[aria-invalid=true], .form-error");
    return el && el.closest("details:not([open])") ? null : el;
  }

  function lostFocus() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function afterSwap(root) {
    var invalid = firstInvalid(root);
    if (invalid) {
      focusOn(invalid);
      return;
    }
    var said = [];
    if (root.matches("[data-announce], .alert")) said.push(root.innerText);
    root.querySelectorAll("[data-announce], .alert").forEach(function (el) { said.push(el.innerText); });
    announce(said.join(" "));
    if (lostFocus()) {
      focusOn(root.querySelector("h1, h2, h3") ||
              root.querySelector("input:not([type=hidden]), select, textarea, a[href], button") || root);
    }
  }

  // htmx fires afterSettle on each element the swap put in (outerHTML) or on the target (innerHTML)
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (root && root.nodeType === 1 && root.isConnected && root !== document.body) afterSwap(root);
  });

  // A page answered after a failed plain submit (422): the first invalid field, not the top of the page.
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    var invalid = main && firstInvalid(main);
    if (invalid) focusOn(invalid);
  });

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
