/* Imports page enhancements (the page works without them; CSP: no inline code).
   - [data-autosubmit]: the kind picker reloads the page with the chosen kind; its
     "Show" button is then hidden.
   - [data-dropzone]: a file dropped anywhere on the upload form goes into its file
     input, and its card is accented while a file is dragged over it. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var hint = form.querySelector("[data-dropzone-hint]");
    if (!input) return;
    if (hint) hint.hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        (form.closest(".card") || form).classList.add("card--accent");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { (form.closest(".card") || form).classList.remove("card--accent"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-autosubmit-button]").forEach(function (button) { button.hidden = true; });
    document.querySelectorAll("form[data-dropzone]").forEach(setUp);
  });
})();
