/* KPI Hub: small progressive enhancements, loaded on every page (defer).
   Every page works without this file. CSP: script-src 'self', so no inline
   scripts or handlers anywhere; behaviour hangs off data-* attributes.

   - [data-dismiss] inside a flash message: shown only when JS runs; removes the message.
   - form[data-confirm="Question?"]: asks before submitting (e.g. "Remove member").
   - .segmented links loading a fragment with htmx: the clicked one becomes current.
   - [data-menu-button]: the phone menu. Shown here (hidden without JS, when the nav
     simply stays open); it folds the nav it controls below 64rem (CSS) and toggles it
     with aria-expanded; Escape closes it and gives focus back to the button. */
(function () {
  "use strict";

  function revealDismissButtons(root) {
    root.querySelectorAll("[data-dismiss][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function setUpMenu() {
    var button = document.querySelector("[data-menu-button]");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.dataset.menu = open ? "open" : "closed";
    }
    show(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealDismissButtons(document);
    setUpMenu();
  });
  // Content swapped in by htmx may carry messages too.
  document.addEventListener("htmx:load", function (event) {
    revealDismissButtons(event.target);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (!button) return;
    var message = button.closest(".message, li");
    if (!message) return;
    var list = message.parentElement;
    var next = message.nextElementSibling || message.previousElementSibling;
    message.remove();
    if (list && list.matches(".messages") && !list.children.length) list.remove();
    // Keep keyboard focus somewhere sensible instead of falling back to <body>.
    var target = (next && next.querySelector("[data-dismiss]")) || document.getElementById("main");
    if (target) target.focus();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".segmented a[hx-get]");
    if (!link) return;
    link.parentElement.querySelectorAll("a").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    link.setAttribute("aria-current", "true");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
