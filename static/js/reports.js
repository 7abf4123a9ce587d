// Draws each statistics chart from the JSON beside its table (no inline script, so
// the pages keep working under a strict Content-Security-Policy).
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var palette = ["#1f5fa6", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#8c6d1f", "#0f7c8a", "#5c6770"];
  document.querySelectorAll(".report-table canvas").forEach(function (canvas) {
    var source = document.getElementById(canvas.id.replace(/-chart$/, "-data"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var round = data.type === "doughnut";
    new Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.values,
          backgroundColor: round ? palette : palette[0],
          borderColor: palette[0],
          spanGaps: false
        }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {legend: {display: round, position: "right"}},
        scales: round ? {} : {y: {beginAtZero: true, ticks: {precision: 0}}}
      }
    });
  });
})();
