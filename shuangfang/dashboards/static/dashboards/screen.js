// Big screen: draws the payload, then fetches it again every few seconds (no page reload).
// Built to run for days on a wall: one request at a time (the next one is scheduled when the last
// one ends, with a timeout), charts drawn into the same two ECharts instances, the institutions
// table paged when it is longer than the panel, and a plain warning when the figures are stale
// (network down, server down, session expired) instead of old numbers that look current.
(function () {
  var script = document.getElementById("screen-script");
  var src = script.dataset.src;
  var REFRESH_MS = 1000 * Math.max(1, parseInt(script.dataset.refresh || "10", 10));
  var TIMEOUT_MS = Math.min(REFRESH_MS, 15000);
  var ROWS = 14;
  var text = JSON.parse(document.getElementById("screen-text").textContent);
  var levels = window.echarts ? echarts.init(document.getElementById("levels")) : null;
  var progress = window.echarts ? echarts.init(document.getElementById("progress")) : null;
  var page = 0;
  var last = null;
  var lastOk = null;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function set(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }
  // Every number is a link to the list that shows exactly that many rows.
  function a(url, inner) { return url ? '<a href="' + esc(url) + '">' + inner + "</a>" : inner; }
  function cell(i, key, bad) {
    return "<td" + (bad && i[key] ? ' class="bad"' : "") + ">" + a(i.links && i.links[key], i[key]) + "</td>";
  }
  // The assessment score (kept by the worker; "as of" in the header), for users who may read it.
  function score(i) {
    if (!("score" in i)) return "";
    return "<td>" + a(i.score_url, i.score === null ? "—" : Number(i.score).toFixed(1)) + "</td>";
  }
  function bump(key) { document.body.dataset[key] = String(parseInt(document.body.dataset[key] || "0", 10) + 1); }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }

  function drawInstitutions(list) {
    var pages = Math.max(1, Math.ceil(list.length / ROWS));
    if (page >= pages) page = 0;
    document.getElementById("institutions").innerHTML = list.slice(page * ROWS, (page + 1) * ROWS).map(function (i) {
      return "<tr><td>" + a(i.dashboard, esc(i.name)) + "</td>" + score(i) + cell(i, "open") + cell(i, "overdue", true) +
        cell(i, "open_major", true) + cell(i, "tasks_missed", true) + "<td>" + a(i.links && i.links.today_done, i.today_done) +
        "/" + a(i.links && i.links.today_total, i.today_total) + "</td>" + cell(i, "alarms_active", true) +
        cell(i, "devices_offline") + "</tr>";
    }).join("");
    set("pages", pages > 1 ? fill(text.page, { n: page + 1, of: pages }) : "");
  }

  function draw(d) {
    var t = d.totals;
    ["open", "overdue", "open_major", "alarms_active", "devices_offline"].forEach(function (k) { set("t-" + k, t[k]); });
    set("t-today_done", t.today_done);
    set("t-today_total", t.today_total);
    set("updated", d.generated_at.slice(11, 19));
    if (d.scores_as_of) set("scores-as-of", d.scores_as_of);
    drawInstitutions(d.institutions);
    document.getElementById("alarms").innerHTML = d.alarms.length ? d.alarms.slice(0, 8).map(function (al) {
      return '<li class="' + esc(al.severity) + '">' + a(al.url, esc(al.opened_at) + " · " + esc(al.institution) + " · " + esc(al.device) + " · " + esc(al.type)) + "</li>";
    }).join("") : '<li class="none">' + esc(text.none) + "</li>";
    document.getElementById("majors").innerHTML = d.major_hazards.length ? d.major_hazards.slice(0, 8).map(function (h) {
      return "<li" + (h.overdue ? ' class="late"' : "") + ">" + a(h.url, esc(h.number) + " · " + esc(h.institution) + " · " + esc(h.title) +
        (h.deadline ? " · " + esc(h.deadline) + (h.overdue ? " " + esc(text.overdue) : "") : "")) + "</li>";
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
      var top = d.institutions.slice(0, 8);
      progress.setOption({
        legend: { textStyle: { color: "#8aa4c0" }, top: 0 },
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#8aa4c0" }, splitLine: { lineStyle: { color: "#12304f" } } },
        yAxis: { type: "category", data: top.map(function (i) { return i.name; }), inverse: true, axisLabel: { color: "#dce8f5", fontSize: 14 } },
        series: [
          { name: text.done, type: "bar", stack: "t", itemStyle: { color: "#43a047" }, data: top.map(function (i) { return i.today_done; }) },
          { name: text.todo, type: "bar", stack: "t", itemStyle: { color: "#37526e" }, data: top.map(function (i) { return i.today_total - i.today_done; }) }
        ]
      });
    }
  }

  function stale(expired) {
    document.body.classList.add("stale");
    set("status", expired ? text.expired : fill(text.stale, { time: lastOk || "" }));
    bump("failures");
  }

  function tick() {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store", signal: ctrl ? ctrl.signal : undefined })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) { var e = new Error("expired"); e.expired = true; throw e; }
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (d) {
        last = d;
        lastOk = d.generated_at.slice(11, 19);
        page += 1;
        draw(d);
        document.body.classList.remove("stale");
        set("status", "");
        bump("refreshes");
      })
      .catch(function (e) { stale(Boolean(e && e.expired)); })
      .then(function () { clearTimeout(timer); setTimeout(tick, REFRESH_MS); });
  }
  // The clock shows the server's zone (Asia/Shanghai), as "updated" does, whatever the wall
  // computer's zone is.
  var ZONE = script.dataset.zone || "Asia/Shanghai";
  var clockFormat = new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  function clock() {
    var p = {};
    clockFormat.formatToParts(new Date()).forEach(function (x) { p[x.type] = x.value; });
    set("clock", p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second);
  }

  last = JSON.parse(document.getElementById("screen-data").textContent);
  lastOk = last.generated_at.slice(11, 19);
  draw(last);
  clock();
  setInterval(clock, 1000);
  setTimeout(tick, REFRESH_MS);
  // The charts follow their boxes (window resized, or the stale banner taking a line).
  [levels, progress].forEach(function (chart) {
    if (!chart) return;
    if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(chart.getDom());
    else window.addEventListener("resize", function () { chart.resize(); });
  });
})();
