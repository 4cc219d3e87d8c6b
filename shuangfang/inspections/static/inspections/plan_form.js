// Show only the rule and assignee fields that the chosen frequency / assignee kind uses.
(function () {
  var rules = {
    time: ["daily", "weekly", "monthly", "quarterly", "seasonal", "holidays"],
    interval_hours: ["hours"], start: ["hours"], end: ["hours"], shifts: ["shift"],
    weekdays: ["weekly"], month_day: ["monthly", "quarterly", "seasonal"],
    holidays: ["holidays"], days_before: ["holidays"]
  };
  var who = {assignee_user: ["person"], assignee_post: ["post", "on_shift"], assignee_role: ["role"]};
  function box(name) { var el = document.getElementById("id_" + name); return el && el.closest("label"); }
  function apply(select, map) {
    var value = select.value;
    Object.keys(map).forEach(function (name) {
      var b = box(name);
      if (b) b.hidden = map[name].indexOf(value) < 0;
    });
  }
  var freq = document.getElementById("id_frequency"), kind = document.getElementById("id_assignee_kind");
  if (freq) { freq.addEventListener("change", function () { apply(freq, rules); }); apply(freq, rules); }
  if (kind) { kind.addEventListener("change", function () { apply(kind, who); }); apply(kind, who); }
})();
