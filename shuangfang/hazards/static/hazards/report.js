// The snap report in three taps (issue 15): 随手拍 → shutter → 上报.
// - the place comes from the last QR code scanned on this phone (core/app.js keeps it) when the
//   field is empty and the last scan is less than 12 hours old;
// - with a photo the text is optional: an empty text becomes "At <place>: see the photo."
//   (data-photo-only-at / data-photo-only), and the officer triages from the photo.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var where = form.querySelector("input[name=location]");
  var text = form.querySelector("textarea[name=description]");
  var photos = form.querySelector("input[name=photos]");
  var FRESH_MS = 12 * 3600 * 1000;
  if (where && !where.value) {
    try {
      var last = JSON.parse(localStorage.getItem("sf.lastPlace") || "null");
      if (last && last.name && Date.now() - last.at < FRESH_MS) where.value = last.name;
    } catch (e) { /* nothing remembered */ }
  }
  function hasPhoto() { return photos && photos.files.length > 0; }
  function sync() {
    if (!text) return;
    text.required = !hasPhoto();
    var star = text.closest("label") && text.closest("label").querySelector(".req");
    if (star) star.hidden = hasPhoto();  // the asterisk goes with the photo: the text is optional now
  }
  form.addEventListener("change", sync);
  form.addEventListener("photoschange", sync);
  sync();
  form.addEventListener("submit", function () {
    if (!text || text.value.trim() || !hasPhoto()) return;
    var place = where ? where.value.trim() : "";
    text.value = place ? form.dataset.photoOnlyAt.replace("{place}", place) : form.dataset.photoOnly;
  }, true);
})();
