// Draws each card's 12-month sparkline from its data-sparkline attribute (no requests),
// on load and again when htmx swaps in re-arranged cards.
(function () {
  "use strict";

  function drawAll(root) {
    root.querySelectorAll("canvas[data-sparkline]:not([data-drawn])").forEach((canvas) => {
      const data = canvas.dataset.sparkline.split(",").map((v) => (v === "" ? null : Number(v)));
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.map((_, i) => i), datasets: [{ data, borderColor: "#2456d6", borderWidth: 2,
          pointRadius: 0, tension: 0.3, spanGaps: true }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: { x: { display: false }, y: { display: false } } },
      });
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
