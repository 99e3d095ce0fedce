// Draws every <canvas data-chart-url="..."> with Chart.js from the JSON its URL returns
// ({labels, datasets}), and writes a short text summary beside it for screen readers.
(function () {
  "use strict";

  function summarise(canvas, data) {
    const target = document.getElementById(canvas.dataset.summary || "");
    if (!target) return;
    const parts = data.datasets.map((set) => {
      const values = set.data.filter((v) => v !== null && v !== undefined);
      return values.length ? `${set.label}: latest ${values[values.length - 1]}` : `${set.label}: no data`;
    });
    target.textContent = parts.join("; ") + ".";
  }

  async function draw(canvas) {
    try {
      const response = await fetch(canvas.dataset.chartUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      const data = await response.json();
      new window.Chart(canvas, {
        type: canvas.dataset.chartType || "line",
        data,
        options: { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false } },
      });
      canvas.dataset.drawn = "true";
      summarise(canvas, data);
    } catch (error) {
      canvas.insertAdjacentText("afterend", "The chart could not be loaded.");
    }
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart-url]:not([data-drawn])").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
