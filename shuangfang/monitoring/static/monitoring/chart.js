// Recent readings of one device as an ECharts line chart, refreshed every 10 seconds.
(function () {
  var el = document.getElementById("chart");
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  var hours = 6;
  function load() {
    fetch(el.dataset.src + "?hours=" + hours, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var series = data.series.map(function (s) {
          return { name: s.name, type: "line", showSymbol: false, data: s.data };
        });
        chart.setOption({
          tooltip: { trigger: "axis" },
          legend: { type: "scroll", top: 0 },
          grid: { left: 40, right: 16, top: 36, bottom: 28 },
          xAxis: { type: "time" },
          yAxis: { type: "value", scale: true },
          series: series,
          title: series.length ? undefined : { text: el.dataset.empty, left: "center", top: "middle", textStyle: { fontSize: 14, color: "#78909c" } }
        }, true);
      })
      .catch(function () {});
  }
  document.querySelectorAll("#chart-range button").forEach(function (b) {
    b.addEventListener("click", function () { hours = parseInt(b.dataset.hours, 10); load(); });
  });
  window.addEventListener("resize", function () { chart.resize(); });
  load();
  setInterval(load, 10000);
})();
