// The inspection form: photo labels, problem highlighting, "mark the rest OK", the position.
(function () {
  var form = document.getElementById("check-form");
  if (!form) return;
  var taken = form.dataset.photoTaken;
  form.addEventListener("change", function (e) {
    if (e.target.type === "file") {
      var label = e.target.closest(".photo-btn").querySelector(".photo-label");
      if (e.target.files.length) { label.textContent = taken; e.target.closest(".photo-btn").classList.add("has-photo"); }
      return;
    }
    if (e.target.type !== "radio") return;
    var box = e.target.closest(".check-item");
    box.classList.toggle("is-problem", e.target.value === "problem");
  });
  document.getElementById("all-ok").addEventListener("click", function () {
    form.querySelectorAll(".check-item").forEach(function (box) {
      if (!box.querySelector("input[type=radio]:checked")) box.querySelector("input[value=ok]").checked = true;
    });
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.latitude.value = pos.coords.latitude.toFixed(6);
      form.longitude.value = pos.coords.longitude.toFixed(6);
      form.accuracy.value = Math.round(pos.coords.accuracy);
    }, function () {}, {timeout: 8000, maximumAge: 60000});
  }
  form.addEventListener("submit", function () { form.querySelector("button[type=submit]").setAttribute("aria-busy", "true"); });
})();
