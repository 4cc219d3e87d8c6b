// The inspection form: photo labels, problem highlighting, "mark the rest OK", the position, and
// the same checks as the server before submitting (records.check_answers), so that a missing
// answer or photo is said on the phone and nothing chosen (photos included) is thrown away.
(function () {
  var form = document.getElementById("check-form");
  if (!form) return;
  var taken = form.dataset.photoTaken;
  function photoState(input) {
    var btn = input.closest(".photo-btn"), label = btn.querySelector(".photo-label");
    if (!label.dataset.empty) label.dataset.empty = label.textContent;
    var has = input.files.length > 0;
    label.textContent = has ? taken : label.dataset.empty;
    btn.classList.toggle("has-photo", has);
  }
  function setError(box, text) {
    var el = box.querySelector(".item-error");
    el.textContent = text;
    el.hidden = !text;
    box.classList.toggle("has-error", !!text);
  }
  form.addEventListener("change", function (e) {
    var box = e.target.closest(".check-item");
    if (!box) return;
    if (e.target.type === "file") { photoState(e.target); setError(box, ""); return; }
    if (e.target.type !== "radio") return;
    box.classList.toggle("is-problem", e.target.value === "problem");
    setError(box, "");
  });
  form.addEventListener("photoschange", function (e) { photoState(e.target); });
  document.getElementById("all-ok").addEventListener("click", function () {
    form.querySelectorAll(".check-item").forEach(function (box) {
      if (!box.querySelector("input[type=radio]:checked")) box.querySelector("input[value=ok]").checked = true;
      setError(box, "");
    });
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.latitude.value = pos.coords.latitude.toFixed(6);
      form.longitude.value = pos.coords.longitude.toFixed(6);
      form.accuracy.value = Math.round(pos.coords.accuracy);
    }, function () {}, {timeout: 8000, maximumAge: 60000});
  }
  function problemOf(box) {
    var checked = box.querySelector("input[type=radio]:checked");
    var file = box.querySelector("input[type=file]"), note = box.querySelector("input[type=text]");
    var hasPhoto = file && file.files.length > 0;
    if (!checked) return form.dataset.needResult;
    if (box.classList.contains("needs-photo") && checked.value !== "na" && !hasPhoto) return form.dataset.needPhoto;
    if (checked.value === "problem" && !hasPhoto && !(note && note.value.trim())) return form.dataset.needNote;
    return "";
  }
  form.addEventListener("submit", function (e) {
    if (e.defaultPrevented) return;  // photos still being prepared: photos.js submits again
    var first = null;
    form.querySelectorAll(".check-item").forEach(function (box) {
      var text = problemOf(box);
      setError(box, text);
      if (text && !first) first = box;
    });
    var summary = document.getElementById("check-errors");
    if (first) {
      e.preventDefault();
      summary.querySelector("p").textContent = form.dataset.summary;
      summary.hidden = false;
      first.scrollIntoView({block: "center"});
      return;
    }
    form.querySelector("button[type=submit]").setAttribute("aria-busy", "true");
  });
})();
