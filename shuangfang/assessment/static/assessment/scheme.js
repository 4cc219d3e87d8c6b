// The scheme editor: show the sum of the weights while they are typed (the server checks it too).
(function () {
  const out = document.getElementById("weight-sum");
  if (!out) return;
  const inputs = Array.from(document.querySelectorAll('input[name^="weight_"]'));
  function update() {
    const sum = inputs.reduce((s, i) => s + (parseInt(i.value, 10) || 0), 0);
    out.textContent = sum;
    out.classList.toggle("off", sum !== 100);
  }
  inputs.forEach((i) => i.addEventListener("input", update));
  update();
})();
