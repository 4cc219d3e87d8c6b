// The phone's position for an encounter, when it gives one. A refusal or a timeout changes
// nothing: the place typed is enough and the form never waits for it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("encounter-form");
  if (!form || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((pos) => {
    form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
    const state = document.getElementById("location-state");
    if (state) state.textContent += " ✓";
  }, () => {}, { timeout: 8000, maximumAge: 60000 });
});
