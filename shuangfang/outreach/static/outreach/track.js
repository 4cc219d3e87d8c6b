// The patrol's route: while the patrol page is open, the phone's position is sent every time it
// moves (the server keeps one point each 20 s). Refused or unavailable: the "type where you are"
// form is shown instead; nothing waits for the phone.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("route-tracking");
  if (!box) return;
  const state = document.getElementById("route-state");
  const typed = document.getElementById("route-typed");
  const csrf = box.dataset.csrf;
  const url = box.dataset.url;
  const refused = () => {
    if (typed) typed.hidden = false;
    if (state) state.textContent = box.dataset.refused;
  };
  if (!navigator.geolocation) { refused(); return; }
  let last = 0;
  navigator.geolocation.watchPosition((pos) => {
    const now = Date.now();
    if (now - last < 20000) return;
    last = now;
    const body = new URLSearchParams({
      latitude: pos.coords.latitude.toFixed(6),
      longitude: pos.coords.longitude.toFixed(6),
      accuracy: Math.round(pos.coords.accuracy || 0),
    });
    fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then((r) => { if (state && r.ok) state.textContent = box.dataset.on; })
      .catch(() => {});
  }, refused, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
});
