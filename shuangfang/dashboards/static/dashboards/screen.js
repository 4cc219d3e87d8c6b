// Big screen: draws the payload, then fetches it again every 10 seconds (no page reload).
(function () {
  var script = document.getElementById("screen-script");
  var src = script.dataset.src;
  var text = JSON.parse(document.getElementById("screen-text").textContent);
  var levels = window.echarts ? echarts.init(document.getElementById("levels")) : null;
  var progress = window.echarts ? echarts.init(document.getElementById("progress")) : null;
  var REFRESH_MS = 10000;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function set(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }
  function cell(n) { return "<td" + (n ? ' class="bad"' : "") + ">" + n + "</td>"; }

  function draw(d) {
    var t = d.totals;
    ["open", "overdue", "open_major", "alarms_active", "devices_offline"].forEach(function (k) { set("t-" + k, t[k]); });
    set("t-today", t.today_done + "/" + t.today_total);
    set("updated", d.generated_at.slice(11, 19));
    document.getElementById("institutions").innerHTML = d.institutions.slice(0, 14).map(function (i) {
      return "<tr><td>" + esc(i.name) + "</td><td>" + i.open + "</td>" + cell(i.overdue) + cell(i.open_major) +
        cell(i.tasks_missed) + "<td>" + i.today_done + "/" + i.today_total + "</td>" + cell(i.alarms_active) +
        "<td>" + i.devices_offline + "</td></tr>";
    }).join("");
    document.getElementById("alarms").innerHTML = d.alarms.length ? d.alarms.slice(0, 8).map(function (a) {
      return '<li class="' + esc(a.severity) + '">' + esc(a.opened_at) + " · " + esc(a.institution) + " · " + esc(a.device) + " · " + esc(a.type) + "</li>";
    }).join("") : '<li class="none">' + esc(text.none) + "</li>";
    document.getElementById("majors").innerHTML = d.major_hazards.length ? d.major_hazards.slice(0, 8).map(function (h) {
      return "<li" + (h.overdue ? ' class="late"' : "") + ">" + esc(h.number) + " · " + esc(h.institution) + " · " + esc(h.title) +
        (h.deadline ? " · " + esc(h.deadline) + (h.overdue ? " " + esc(text.overdue) : "") : "") + "</li>";
    }).join("") : '<li class="none">' + esc(text.none) + "</li>";
    if (levels) {
      var byName = {};
      d.levels.forEach(function (l) { byName[l.name] = l.value; });
      levels.setOption({
        color: d.levels.map(function (l) { return l.colour; }),
        legend: { orient: "vertical", right: 0, top: "middle", textStyle: { color: "#dce8f5", fontSize: 16 },
          formatter: function (name) { return name + "  " + byName[name]; } },
        series: [{ type: "pie", center: ["32%", "50%"], radius: ["42%", "70%"], label: { show: false },
          data: d.levels.map(function (l) { return { name: l.name, value: l.value }; }) }]
      });
    }
    if (progress) {
      var names = d.institutions.slice(0, 8).map(function (i) { return i.name; });
      progress.setOption({
        legend: { textStyle: { color: "#8aa4c0" }, top: 0 },
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#8aa4c0" }, splitLine: { lineStyle: { color: "#12304f" } } },
        yAxis: { type: "category", data: names, inverse: true, axisLabel: { color: "#dce8f5", fontSize: 14 } },
        series: [
          { name: text.done, type: "bar", stack: "t", itemStyle: { color: "#43a047" }, data: d.institutions.slice(0, 8).map(function (i) { return i.today_done; }) },
          { name: text.todo, type: "bar", stack: "t", itemStyle: { color: "#37526e" }, data: d.institutions.slice(0, 8).map(function (i) { return i.today_total - i.today_done; }) }
        ]
      });
    }
  }

  function tick() {
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { draw(d); document.body.dataset.refreshes = String(parseInt(document.body.dataset.refreshes || "0", 10) + 1); })
      .catch(function () { /* keep the last figures on screen; the next tick tries again */ });
  }
  function clock() {
    var n = new Date();
    set("clock", n.getFullYear() + "-" + String(n.getMonth() + 1).padStart(2, "0") + "-" + String(n.getDate()).padStart(2, "0") + " " + n.toTimeString().slice(0, 8));
  }

  draw(JSON.parse(document.getElementById("screen-data").textContent));
  clock();
  setInterval(clock, 1000);
  setInterval(tick, REFRESH_MS);
  window.addEventListener("resize", function () { if (levels) levels.resize(); if (progress) progress.resize(); });
})();
