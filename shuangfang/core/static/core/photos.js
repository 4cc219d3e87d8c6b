// Photos that upload on a bad link (issue 15): every <input type="file" data-shrink> gets its
// pictures resized on the phone before they are sent: longest side 1,600 px, JPEG at 80 %, drawn
// through a canvas, so the EXIF block (GPS position included) is not carried over. A preview with a
// remove button follows the input; a submit waits until the photos are ready.
// Translated texts come from this script tag: data-remove, data-working.
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.8, THUMB = 160;
  var me = document.currentScript || {dataset: {}};
  var REMOVE = me.dataset.remove || "Remove", WORKING = me.dataset.working || "…";
  var kept = new WeakMap(), pending = new WeakMap();

  function decode(file) {
    if (!window.createImageBitmap) return Promise.reject(new Error("no createImageBitmap"));
    return createImageBitmap(file, {imageOrientation: "from-image"}).catch(function () {
      return createImageBitmap(file);
    });
  }

  function draw(bmp, side) {
    var scale = Math.min(1, side / Math.max(bmp.width, bmp.height));
    var c = document.createElement("canvas");
    c.width = Math.max(1, Math.round(bmp.width * scale));
    c.height = Math.max(1, Math.round(bmp.height * scale));
    var ctx = c.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(bmp, 0, 0, c.width, c.height);
    return c;
  }

  // -> {file, thumb}: the re-encoded JPEG, or the original when the browser cannot read it.
  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve({file: file, thumb: ""});
    return decode(file).then(function (bmp) {
      var big = draw(bmp, MAX_SIDE), thumb = draw(bmp, THUMB).toDataURL("image/jpeg", 0.7);
      if (bmp.close) bmp.close();
      return new Promise(function (resolve) {
        big.toBlob(function (blob) {
          if (!blob) { resolve({file: file, thumb: thumb}); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve({file: new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}), thumb: thumb});
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return {file: file, thumb: ""}; });
  }

  function box(input) {
    var anchor = input.closest("label") || input;
    var next = anchor.nextElementSibling;
    if (next && next.classList.contains("photo-previews")) return next;
    var div = document.createElement("div");
    div.className = "photo-previews";
    anchor.parentNode.insertBefore(div, anchor.nextSibling);
    return div;
  }

  function apply(input) {
    var list = kept.get(input) || [], dt = new DataTransfer(), div = box(input);
    list.forEach(function (p) { dt.items.add(p.file); });
    input.files = dt.files;
    div.textContent = "";
    list.forEach(function (p, i) {
      var fig = document.createElement("figure");
      fig.className = "photo-preview";
      if (p.thumb) { var img = document.createElement("img"); img.src = p.thumb; img.alt = ""; fig.appendChild(img); }
      var cap = document.createElement("figcaption");
      cap.textContent = Math.max(1, Math.round(p.file.size / 1024)) + " KB";
      fig.appendChild(cap);
      var rm = document.createElement("button");
      rm.type = "button";
      rm.className = "photo-remove secondary outline";
      rm.textContent = "✕";
      rm.setAttribute("aria-label", REMOVE);
      rm.title = REMOVE;
      rm.addEventListener("click", function () {
        list.splice(i, 1);
        apply(input);
      });
      fig.appendChild(rm);
      div.appendChild(fig);
    });
    input.dataset.photoCount = String(list.length);
    input.dispatchEvent(new CustomEvent("photoschange", {bubbles: true, detail: {count: list.length}}));
  }

  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches("input[type=file][data-shrink]")) return;
    var chosen = Array.prototype.slice.call(input.files || []);
    if (!chosen.length) { apply(input); return; }  // the picker was cancelled: keep what was there
    var div = box(input);
    div.setAttribute("aria-busy", "true");
    div.dataset.working = WORKING;
    var job = Promise.all(chosen.map(shrink)).then(function (done) {
      var list = input.multiple ? (kept.get(input) || []).concat(done) : done;
      kept.set(input, list);
      pending.delete(input);
      div.removeAttribute("aria-busy");
      apply(input);
    });
    pending.set(input, job);
  });

  // A submit made while photos are still being prepared waits for them, then goes on.
  document.addEventListener("submit", function (ev) {
    var form = ev.target, jobs = [];
    form.querySelectorAll("input[type=file][data-shrink]").forEach(function (i) {
      var j = pending.get(i);
      if (j) jobs.push(j);
    });
    if (!jobs.length) return;
    ev.preventDefault();
    var submitter = ev.submitter;
    Promise.all(jobs).then(function () {
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
  }, true);
})();
