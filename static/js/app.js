// KPI Hub: small progressive enhancements. Pages work without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-dismiss]");
  if (button) button.closest("li, .message")?.remove();
});
