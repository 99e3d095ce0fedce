// Draws every <canvas data-chart-url="..."> with Chart.js from the JSON its URL returns
// ({labels, datasets, axes}: a django-chartjs view; each axis its unit and tick
// options), writes numbers in the company's
// format (<body data-locale data-currency>) and puts a short text summary beside the
// chart for screen readers.
(function () {
  "use strict";

  const body = document.body.dataset;
  const locale = body.locale || "en-US";
  const currency = body.currency || "USD";
  const SUFFIX = { percent: " %", hours: " h", months: " mo", ratio: "×" };

  function formatter(unit, compact) {
    // signDisplay "negative": a tick at -0.0001 reads "0", never "-0".
    const options = unit === "money"
      ? { style: "currency", currency, maximumFractionDigits: compact ? 1 : 0, signDisplay: "negative" }
      : { maximumFractionDigits: unit === "count" || unit === "score" ? 0 : unit === "ratio" ? 2 : 1,
          // "3.0 %" as on the cards, not "3 %"; axis ticks stay short.
          minimumFractionDigits: unit === "percent" && !compact ? 1 : 0, signDisplay: "negative" };
    if (compact) options.notation = "compact";
    const format = new Intl.NumberFormat(locale, options);
    return (value) => (value === null || value === undefined ? "—" : format.format(value) + (SUFFIX[unit] || ""));
  }

  function scales(axes) {
    const result = { x: { stacked: Object.values(axes).some((axis) => axis.stacked) } };
    Object.entries(axes).forEach(([id, axis]) => {
      const ticks = formatter(axis.unit, true);
      result[id] = {
        position: axis.position || "left", stacked: !!axis.stacked,
        // The view's tick options (metrics/kpis/charts.py axis_ticks: whole steps for
        // counts and NPS, tenths for percentages) and the company's number format.
        grid: { drawOnChartArea: id === "y" }, ticks: { ...(axis.ticks || {}), callback: (value) => ticks(value) },
      };
    });
    return result;
  }

  // "Latest (2027-03): Actual: 3.0 % (2026-10); Target: 4.0 %.": each series' latest
  // value in its own unit, with its month when that is not the chart's last.
  function summarise(canvas, data, formats) {
    const target = document.getElementById(canvas.dataset.summary || "");
    if (!target) return;
    const lastIndex = data.labels.length - 1;
    const parts = data.datasets.map((set, index) => {
      let at = set.data.length - 1;
      while (at >= 0 && (set.data[at] === null || set.data[at] === undefined)) at -= 1;
      if (at < 0) return `${set.label}: no data`;
      const when = at === lastIndex ? "" : ` (${data.labels[at]})`;
      return `${set.label}: ${formats[index](set.data[at])}${when}`;
    });
    target.textContent = (lastIndex >= 0 ? `Latest (${data.labels[lastIndex]}): ` : "") + parts.join("; ") + ".";
  }

  async function draw(canvas) {
    try {
      const response = await fetch(canvas.dataset.chartUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      const data = await response.json();
      const axes = data.axes || {};
      const byUnit = data.datasets.map((set) => formatter(set.unit || (axes[set.yAxisID || "y"] || {}).unit, false));
      new window.Chart(canvas, {
        type: data.datasets.some((set) => set.type === "bar") ? "bar" : "line",
        data: { labels: data.labels, datasets: data.datasets },
        options: {
          responsive: true, maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: Object.keys(axes).length ? scales(axes) : undefined,
          plugins: {
            legend: { labels: { boxWidth: 12 } },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${byUnit[item.datasetIndex](item.raw)}` } },
          },
        },
      });
      canvas.dataset.drawn = "true";
      summarise(canvas, data, byUnit);
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
