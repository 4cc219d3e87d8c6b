// Placing a risk point on the floor plan: click the plan, the form gets x/y (0–1) and is sent.
(function () {
  const plan = document.getElementById("plan"), img = document.getElementById("plan-img"), form = document.getElementById("place-form");
  if (!plan || !form) return;
  plan.classList.add("placing");
  img.addEventListener("click", function (ev) {
    const r = img.getBoundingClientRect();
    document.getElementById("place-x").value = ((ev.clientX - r.left) / r.width).toFixed(4);
    document.getElementById("place-y").value = ((ev.clientY - r.top) / r.height).toFixed(4);
    form.submit();
  });
})();
