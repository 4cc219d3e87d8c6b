// Photos that upload on a bad link (issue 15): every <input type="file" data-shrink> gets its
// pictures resized on the phone before they are sent: longest side 1,600 px, JPEG at 80 %, drawn
// through a canvas, so the EXIF block (GPS position included) is not carried over. A preview with a
// remove button follows the input; a submit waits until the photos are ready.
// Evidence: before shrinking, the original's EXIF is read here (when it was taken, and where), and
// sent beside each photo as hidden fields <name>-taken_at (always) and <name>-latitude /
// <name>-longitude (only when the person ticks "keep the location", shown when a photo has one);
// core/photos.py checks them and keeps what can be trusted.
// Translated texts come from this script tag (data-remove, data-working) and from the file input
// (data-keep-location).
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.8, THUMB = 160;
  var me = document.currentScript || {dataset: {}};
  var REMOVE = me.dataset.remove || "Remove", WORKING = me.dataset.working || "…";
  var kept = new WeakMap(), pending = new WeakMap();

  // --- EXIF of the original (JPEG only: what phone cameras write) ----------------------------
  var SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8};
  function tiff(v, t) {
    var le = v.getUint16(t) === 0x4949;
    function u16(o) { return v.getUint16(t + o, le); }
    function u32(o) { return v.getUint32(t + o, le); }
    function dir(off) {
      var out = {}, n = u16(off);
      for (var k = 0; k < n && k < 200; k++) out[u16(off + 2 + k * 12)] = off + 2 + k * 12;
      return out;
    }
    function value(e) {
      var type = u16(e + 2), count = u32(e + 4), size = (SIZES[type] || 1) * count;
      var off = size <= 4 ? e + 8 : u32(e + 8), j, out;
      if (type === 2) {
        out = "";
        for (j = 0; j < count && j < 64; j++) { var c = v.getUint8(t + off + j); if (!c) break; out += String.fromCharCode(c); }
        return out;
      }
      if (type === 5) {
        out = [];
        for (j = 0; j < count && j < 4; j++) out.push(u32(off + 8 * j) / u32(off + 8 * j + 4));
        return out;
      }
      if (type === 3) return u16(off);
      if (type === 4) return u32(off);
      return null;
    }
    var out = {}, top = dir(u32(4));
    if (top[0x8769]) {
      var ex = dir(value(top[0x8769])), at = ex[0x9003] || ex[0x9004];
      if (at) out.taken = value(at);
      if (ex[0x9011]) out.offset = value(ex[0x9011]);
    }
    if (top[0x8825]) {
      var g = dir(value(top[0x8825]));
      if (g[2] && g[4]) {
        var deg = function (d) { return d[0] + d[1] / 60 + d[2] / 3600; };
        var lat = deg(value(g[2])), lng = deg(value(g[4]));
        if (g[1] && value(g[1]) === "S") lat = -lat;
        if (g[3] && value(g[3]) === "W") lng = -lng;
        if (isFinite(lat) && isFinite(lng)) { out.lat = lat.toFixed(6); out.lng = lng.toFixed(6); }
      }
    }
    return out;
  }
  function parseJpeg(buf) {
    var v = new DataView(buf), i = 2;
    if (v.getUint16(0) !== 0xFFD8) return {};
    while (i + 4 <= v.byteLength) {
      if (v.getUint8(i) !== 0xFF) return {};
      var m = v.getUint8(i + 1);
      if (m === 0xFF) { i++; continue; }
      if (m === 0xDA || m === 0xD9) return {};
      if (m === 0xE1 && v.getUint32(i + 4) === 0x45786966 && v.getUint16(i + 8) === 0) return tiff(v, i + 10);
      i += 2 + v.getUint16(i + 2);
    }
    return {};
  }
  // -> {taken: "2026-12-01T09:30:00[+08:00]", lat, lng}, or {} (no EXIF, not a JPEG, broken)
  function readExif(file) {
    if (!/^image\/jpe?g$/i.test(file.type) || !file.slice) return Promise.resolve({});
    var head = file.slice(0, 256 * 1024);
    var read = head.arrayBuffer ? head.arrayBuffer() : new Response(head).arrayBuffer();
    return read.then(function (buf) {
      var raw = parseJpeg(buf), out = {};
      var m = /^(\d{4}):(\d\d):(\d\d)[ T](\d\d:\d\d:\d\d)/.exec(raw.taken || "");
      if (m) out.taken = m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + (/^[+-]\d\d:\d\d$/.test(raw.offset || "") ? raw.offset : "");
      if (raw.lat) { out.lat = raw.lat; out.lng = raw.lng; }
      return out;
    }).catch(function () { return {}; });
  }

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
    return readExif(file).then(function (exif) {
      return resize(file).then(function (p) { p.exif = exif; return p; });
    });
  }
  function resize(file) {
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

  // The "keep the location" tick box of a form: shown once a photo of the form has a position.
  function keepBox(form, after, text) {
    var box = form.querySelector("input[name=keep_location]");
    if (box || !after) return box;
    var label = document.createElement("label");
    label.className = "keep-location";
    box = document.createElement("input");
    box.type = "checkbox";
    box.name = "keep_location";
    box.value = "1";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + (text || "Keep where the photo was taken")));
    after.parentNode.insertBefore(label, after.nextSibling);
    box.addEventListener("change", function () { evidence(form); });
    return box;
  }
  // The hidden fields with each photo's time (and position, if allowed), in the photos' order.
  function evidence(form) {
    if (!form) return;
    var inputs = form.querySelectorAll("input[type=file][data-shrink]"), located = null, text = "";
    inputs.forEach(function (input) {
      (kept.get(input) || []).forEach(function (p) {
        if (p.exif && p.exif.lat && !located) { located = box(input); text = input.dataset.keepLocation; }
      });
    });
    var keep = keepBox(form, located, text);
    if (keep) {
      keep.parentNode.hidden = !located;
      keep.disabled = !located;
    }
    var allowed = !!(keep && keep.checked && !keep.disabled);
    inputs.forEach(function (input) {
      if (!kept.has(input)) return;  // no photo chosen there yet: no preview box to make
      var div = box(input), holder = div.querySelector(".photo-evidence-fields");
      if (!holder) { holder = document.createElement("span"); holder.className = "photo-evidence-fields"; div.appendChild(holder); }
      holder.textContent = "";
      (kept.get(input) || []).forEach(function (p) {
        var e = p.exif || {}, fields = [["taken_at", e.taken || ""]];
        if (allowed) fields.push(["latitude", e.lat || ""], ["longitude", e.lng || ""]);
        fields.forEach(function (f) {
          var h = document.createElement("input");
          h.type = "hidden";
          h.name = input.name + "-" + f[0];
          h.value = f[1];
          holder.appendChild(h);
        });
      });
    });
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
      cap.textContent = Math.max(1, Math.round(p.file.size / 1024)) + " KB" +
        (p.exif && p.exif.taken ? " · " + p.exif.taken.slice(5, 10) + " " + p.exif.taken.slice(11, 16) : "");
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
    evidence(input.form);
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
