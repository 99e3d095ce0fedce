// Surveys: the answer page sends the score chosen in the e-mail by itself, but only
// once the page is really shown to a person (visible tab, a frame painted). Mail
// scanners that merely fetch the link run none of this, so they record nothing.
// Without JavaScript the page's button does the same POST.
(function () {
  "use strict";
  const form = document.querySelector("form.survey-form[data-auto-submit='1']");
  if (!form) return;
  const chosen = form.querySelector("input[name='score']:checked");
  if (!chosen) return;
  // Once per score per tab: going back to this page does not overwrite a later change.
  const key = "kpihub-survey:" + form.dataset.token + ":" + chosen.value;
  try {
    if (window.sessionStorage.getItem(key)) return;
  } catch (error) { /* storage disabled: send anyway */ }

  let started = false;
  function sendWhenShown() {
    if (started || document.visibilityState !== "visible") return;
    started = true;
    document.removeEventListener("visibilitychange", sendWhenShown);
    // requestAnimationFrame does not run in hidden or prerendered pages.
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        try { window.sessionStorage.setItem(key, "1"); } catch (error) { /* ignore */ }
        const status = form.querySelector(".survey-form__status");
        if (status) status.textContent = status.dataset.sendingText || "";
        form.classList.add("is-sending");
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      }, 300);
    });
  }
  if (document.visibilityState === "visible") sendWhenShown();
  else document.addEventListener("visibilitychange", sendWhenShown);
})();

// The create form: show only the audience fields that the chosen audience uses.
// Without JavaScript every field stays visible and the unused ones are ignored.
(function () {
  "use strict";
  const panels = document.querySelectorAll("[data-audience-panel]");
  if (!panels.length) return;
  const radios = document.querySelectorAll("input[name='audience']");
  function update() {
    const checked = document.querySelector("input[name='audience']:checked");
    const chosen = checked ? checked.value : "all";
    panels.forEach(function (panel) { panel.hidden = panel.dataset.audiencePanel !== chosen; });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
