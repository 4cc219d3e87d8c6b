// Check-in on the way: add the phone's position when it gives one (optional), then send.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkin-form");
  if (!form) return;
  let located = false;
  form.addEventListener("submit", (ev) => {
    if (located || !navigator.geolocation || !form.querySelector("#use-location")?.checked) return;
    ev.preventDefault();
    const send = () => { located = true; form.requestSubmit(); };
    navigator.geolocation.getCurrentPosition((pos) => {
      form.querySelector("[name=ci-latitude]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=ci-longitude]").value = pos.coords.longitude.toFixed(6);
      send();
    }, send, { timeout: 8000, maximumAge: 60000 });
  });
});
