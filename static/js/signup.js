/* The sign-up page (templates/tenants/signup.html, form[data-signup]):
   - the address (slug) is suggested from the company name as it is typed, made the
     way the server would accept it (tenants.signup: lowercase ASCII letters, digits
     and single hyphens, at most 40), until the person types a slug of their own;
   - the time zone starts at the browser's, when it is one of the choices and the form
     has not been sent back with the person's own choice. */
(function () {
  "use strict";

  var MAX_SLUG = 40;

  // django.utils.text.slugify, then the slug rules: accents dropped, anything but
  // letters, digits, spaces and hyphens removed, runs of spaces, hyphens and
  // underscores become one hyphen, none at either end.
  function slugify(text) {
    var slug = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9\s_-]/g, "").trim().replace(/[-\s_]+/g, "-").replace(/^-+|-+$/g, "");
    return slug.slice(0, MAX_SLUG).replace(/-+$/, "");
  }

  function suggestSlug(form) {
    var name = form.querySelector("#id_company_name");
    var slug = form.querySelector("#id_slug");
    if (!name || !slug) return;
    // A slug already there that is not the name's suggestion was typed by the person.
    var suggested = slug.value === "" || slug.value === slugify(name.value) ? slug.value : null;
    name.addEventListener("input", function () {
      if (suggested === null) return;
      suggested = slugify(name.value);
      slug.value = suggested;
    });
    slug.addEventListener("input", function () {
      // Typing in the slug makes it theirs; clearing it hands it back to the suggestion.
      suggested = slug.value === "" ? "" : null;
    });
  }

  function browserTimeZone(form) {
    var select = form.querySelector("#id_timezone");
    if (!select || form.hasAttribute("data-bound")) return;
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-signup]").forEach(function (form) {
      suggestSlug(form);
      browserTimeZone(form);
    });
  });
})();
