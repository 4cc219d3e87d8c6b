// "Report a problem with this": the photo button says when a photo was taken.
(function () {
  var form = document.getElementById("report-form");
  if (!form) return;
  form.addEventListener("change", function (e) {
    if (e.target.type !== "file") return;
    var btn = e.target.closest(".photo-btn");
    if (e.target.files.length) {
      btn.querySelector(".photo-label").textContent = form.dataset.photoTaken;
      btn.classList.add("has-photo");
    }
  });
})();
