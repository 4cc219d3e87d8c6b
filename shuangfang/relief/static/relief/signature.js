// A signature drawn with a finger on the screen: written into the form's hidden input on submit.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("canvas.rf-signature").forEach((canvas) => {
    const form = canvas.closest("form");
    const input = form.querySelector("input[name=signature]");
    const ctx = canvas.getContext("2d");
    let drawing = false, drawn = false;
    const fit = () => { canvas.width = canvas.clientWidth; canvas.height = canvas.clientHeight;
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111"; };
    fit();
    const at = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    canvas.addEventListener("pointerdown", (e) => { drawing = true; canvas.setPointerCapture(e.pointerId);
      const [x, y] = at(e); ctx.beginPath(); ctx.moveTo(x, y); });
    canvas.addEventListener("pointermove", (e) => { if (!drawing) return; const [x, y] = at(e);
      ctx.lineTo(x, y); ctx.stroke(); drawn = true; });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    form.querySelector(".rf-signature-clear")?.addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
    form.addEventListener("submit", () => { input.value = drawn ? canvas.toDataURL("image/png") : ""; });
  });
});
