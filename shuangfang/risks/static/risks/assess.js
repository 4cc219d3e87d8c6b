// The live score preview of the assessment form (the server computes the real one).
(function () {
  const bands = JSON.parse(document.getElementById("bands-data").textContent);
  const formula = JSON.parse(document.getElementById("formula-data").textContent);
  const form = document.getElementById("assess-form");
  function inBand(x, b) {
    if (b.min !== null && (x < b.min || (x === b.min && !b.min_inclusive))) return false;
    if (b.max !== null && (x > b.max || (x === b.max && !b.max_inclusive))) return false;
    return true;
  }
  // The formula with the chosen values put in: numbers, + - * / and brackets, read by a small
  // parser (no eval: the Content-Security-Policy forbids it). null when it is not such a formula.
  function evaluate(text) {
    const tokens = text.match(/\d+(?:\.\d+)?|\.\d+|[-+*\/()]|\S/g) || [];
    let i = 0;
    function primary() {
      const t = tokens[i++];
      if (t === "(") { const v = sum(); if (tokens[i++] !== ")") throw new Error("bracket"); return v; }
      if (t === "-") return -primary();
      if (t === "+") return primary();
      if (t !== undefined && /^[\d.]/.test(t)) return parseFloat(t);
      throw new Error("token");
    }
    function product() {
      let v = primary();
      while (tokens[i] === "*" || tokens[i] === "/") { v = tokens[i++] === "*" ? v * primary() : v / primary(); }
      return v;
    }
    function sum() {
      let v = product();
      while (tokens[i] === "+" || tokens[i] === "-") { v = tokens[i++] === "+" ? v + product() : v - product(); }
      return v;
    }
    try { const v = sum(); return i === tokens.length && isFinite(v) ? v : null; } catch (e) { return null; }
  }
  function update() {
    const values = {};
    form.querySelectorAll("input[type=radio][data-scale]:checked").forEach(function (el) { values[el.dataset.scale] = el.value; });
    let missing = false;
    const expr = formula.replace(/[A-Za-z_]+/g, function (code) { if (!(code in values)) { missing = true; return "0"; } return "(" + values[code] + ")"; });
    const raw = missing ? null : evaluate(expr);
    if (raw === null) { document.getElementById("score").textContent = "—"; document.getElementById("level").textContent = "—"; return; }
    const score = Math.round(raw * 1000) / 1000;
    document.getElementById("score").textContent = score;
    const band = bands.find(function (b) { return inBand(score, b); });
    const level = document.getElementById("level");
    level.innerHTML = "";
    if (band) { const s = document.createElement("span"); s.className = "level-badge"; s.style.background = band.colour; s.textContent = band.level_label + " (" + band.band + ")"; level.appendChild(s); }
  }
  form.addEventListener("change", update);
  update();
})();
