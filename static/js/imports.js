/* Imports page enhancements (the page works without them; CSP: no inline code).
   - [data-autosubmit]: the kind picker reloads the page with the chosen kind; its
     "Show" button is then hidden.
   - [data-dropzone]: a file dropped anywhere on the upload form goes into its file
     input, and its card is accented while a file is dragged over it.
   - the upload form previews with htmx on every change; the kept file is then not
     sent again, and the Preview button (for pages without JavaScript) is hidden. */
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

  // After a preview, the file is kept on the server (the form's "pending" token):
  // empty the file input so the next preview or the import does not send it again.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "import-preview") return;
    var form = event.detail.target.closest("form");
    var kept = form && form.querySelector("input[name=pending]");
    var input = form && form.querySelector("input[type=file]");
    if (!kept || !input || !input.files.length) return;
    var note = form.querySelector("[data-kept-file]");
    if (note) {
      note.textContent = "Previewed: " + input.files[0].name + ". Choose another file to replace it.";
      note.hidden = false;
    }
    input.value = "";
    input.required = false;
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-autosubmit-button]").forEach(function (button) { button.hidden = true; });
    if (window.htmx) {
      document.querySelectorAll("[data-preview-button]").forEach(function (button) { button.hidden = true; });
    }
    document.querySelectorAll("form[data-dropzone]").forEach(setUp);
  });
})();
