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

  // A "select all" box (shown only when this script runs): <label data-select-all="NAME" hidden>
  // ticks every checkbox named NAME in the same form, and follows them when they are ticked one by one.
  function initSelectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (label) {
      label.hidden = false;
    });
  }
  function boxesOf(all) {
    var label = all.closest("[data-select-all]");
    var form = all.closest("form");
    if (!label || !form) return [];
    return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="' + label.getAttribute("data-select-all") + '"]'));
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.closest("[data-select-all]")) {
      boxesOf(target).forEach(function (box) { box.checked = target.checked; });
      target.indeterminate = false;
      return;
    }
    var form = target.closest("form");
    if (!form || target.type !== "checkbox") return;
    form.querySelectorAll("[data-select-all] input[type=checkbox]").forEach(function (all) {
      var boxes = boxesOf(all);
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { initSelectAll(document); });
  document.addEventListener("htmx:load", function (event) { initSelectAll(event.detail.elt); });

  // Select the invitation link on focus, for copying.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input.copy")) event.target.select();
  });
})();

// "Copy link" buttons beside a link field (templates/core/_copy_link.html): shown only where the
// browser can copy (otherwise the field stays, selected on focus, for copying by hand); a click
// copies the field's link and says so in the field's status line.
(function () {
  "use strict";
  function canCopy() {
    return !!((navigator.clipboard && window.isSecureContext) || document.queryCommandSupported &&
      document.queryCommandSupported("copy"));
  }
  function reveal(root) {
    if (!canCopy()) return;
    (root || document).querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }
  function copyByHand(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(); });
  } else {
    reveal();
  }
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var status = button.parentNode.querySelector(".copy-status");
    var done = function () { if (status) status.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { if (copyByHand(field)) done(); });
    } else if (copyByHand(field)) {
      done();
    }
  });
})();

// A table wider than the screen scrolls inside its .table-wrap: such a box must be reachable by
// keyboard (WCAG 2.1.1), so it becomes a named, focusable region while it scrolls, and stops being
// a tab stop when the table fits again.
(function () {
  "use strict";
  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var el = box.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) el = el.previousElementSibling;
    if (!el) { var section = box.closest("section, main"); el = section && section.querySelector("h1, h2, h3"); }
    return (el ? el.textContent.trim() : "") || document.title;
  }
  function mark(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", nameOf(box));
          box.setAttribute("data-scroller", "");
        }
      } else if (box.hasAttribute("data-scroller")) {
        ["tabindex", "role", "aria-label", "data-scroller"].forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { mark(document); });
  document.addEventListener("htmx:load", function () { mark(document); });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () { pending = null; mark(document); }, 150);
  });
})();
