// Dashboard charts: the risk-level donut (level palette) and the 12-month hazard trend.
// Data come from a json_script block; clicking a slice opens the filtered list behind it.
(function () {
  var dataEl = document.getElementById("dash-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var labels = data.labels;
  var charts = [];
  var donutEl = document.getElementById("chart-levels");
  if (donutEl) {
    var donut = echarts.init(donutEl);
    donut.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      color: data.levels.map(function (l) { return l.colour; }),
      series: [{
        type: "pie", radius: ["50%", "80%"], label: { show: false },
        data: data.levels.map(function (l) { return { name: l.name, value: l.value, url: l.url }; })
      }]
    });
    donut.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    charts.push(donut);
  }
  var trendEl = document.getElementById("chart-trend");
  if (trendEl) {
    var trend = echarts.init(trendEl);
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.map(function (m) { return m.month; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.reported, type: "bar", data: data.trend.map(function (m) { return m.reported; }), itemStyle: { color: "#90a4ae" } },
        { name: labels.closed, type: "bar", data: data.trend.map(function (m) { return m.closed; }), itemStyle: { color: "#43a047" } },
        { name: labels.open, type: "line", data: data.trend.map(function (m) { return m.open; }), itemStyle: { color: "#e53935" } }
      ]
    });
    charts.push(trend);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
