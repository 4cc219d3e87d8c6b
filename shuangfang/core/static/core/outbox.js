// The outbox on the phone (issue 15, docs/field-app.md): a form marked data-queue (the snap
// report, an inspection) is kept in IndexedDB the moment it is submitted, fields and photos, under
// an idempotency key made here; then it is sent with fetch. Sent: the page goes to the result.
// Refused while the person is on the form: the reason is shown above it and nothing typed is lost.
// No network (or the server is away): it waits in the outbox, shown on the home page, and is sent
// by itself when the connection returns (page load, the "online" event, every 20 s while waiting).
// A queued submission the server refuses later stays in the outbox with the reason: send it again,
// turn an inspection into a snap report (its notes and photos go with it), or delete it.
// Entries belong to the person who made them: another person logged in on the phone neither sees
// nor sends them. Written by hand against IndexedDB (no library): one store, keyed by the key.
(function () {
  "use strict";
  var DB = "shuangfang-outbox", STORE = "entries", RETRY_MS = 20000;
  var wordsEl = document.getElementById("outbox-words");
  if (!wordsEl || !window.indexedDB || !window.fetch) return;
  var W = JSON.parse(wordsEl.textContent);
  var USER = W.user, MAX_BYTES = W.maxBytes;
  var sending = false, timer = null;

  // --- IndexedDB ---------------------------------------------------------------------------
  var opened = null;
  function db() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, {keyPath: "key"}); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return opened;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), store = t.objectStore(STORE), out = work(store);
        t.oncomplete = function () { resolve(out && "result" in out ? out.result : out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function put(entry) { return tx("readwrite", function (s) { return s.put(entry); }); }
  function drop(key) { return tx("readwrite", function (s) { return s.delete(key); }); }
  function all() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (e) { return e.user === USER; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }

  // --- Keys and fields ---------------------------------------------------------------------
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function fieldsOf(form, submitter) {
    var out = [];
    new FormData(form, submitter || undefined).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (value instanceof Blob) {
        if (!value.size && !value.name) return;  // an empty file input
        out.push([name, {blob: value, name: value.name || "photo.jpg", type: value.type, taken: value.takenAt || ""}]);
      } else {
        out.push([name, value]);
      }
    });
    return out;
  }
  function labelsOf(form) {
    var labels = {};
    form.querySelectorAll("[data-item]").forEach(function (box) {
      var t = box.querySelector(".item-title");
      labels[box.dataset.item] = t ? t.textContent.replace(/^\s*\d+\.\s*/, "").trim() : "";
    });
    return labels;
  }
  function photos(entry) { return entry.fields.filter(function (f) { return typeof f[1] === "object"; }); }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- Sending -----------------------------------------------------------------------------
  // -> {state: "sent", url} | {state: "refused", detail} | {state: "waiting", why}
  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (f) {
      if (typeof f[1] === "object") body.append(f[0], f[1].blob, f[1].name);
      else body.append(f[0], f[1]);
    });
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"Idempotency-Key": entry.key, "X-Queued": "1", "X-CSRFToken": csrf(), "Accept": "application/json"}
    }).then(function (r) {
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!json) {
        var login = r.redirected && /\/login\//.test(new URL(r.url).pathname);
        return {state: "waiting", why: login ? W.needLogin : (r.status === 403 ? W.needReload : W.serverAway)};
      }
      return r.json().then(function (data) {
        if (r.ok && data.url) return {state: "sent", url: data.url};
        if (r.status >= 400 && r.status < 500 && r.status !== 429) return {state: "refused", detail: data.detail || W.refused};
        return {state: "waiting", why: W.serverAway};
      });
    }, function () { return {state: "waiting", why: W.offline}; });
  }

  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    return all().then(function (entries) {
      var chain = Promise.resolve();
      // "sending" too: a page closed while sending left it so; the key makes a second copy harmless
      entries.filter(function (e) { return e.state !== "refused"; }).forEach(function (entry) {
        chain = chain.then(function () {
          entry.state = "sending";
          return put(entry).then(render).then(function () { return send(entry); }).then(function (res) {
            entry.tries = (entry.tries || 0) + 1;
            if (res.state === "sent") {
              sent.push({title: entry.title, url: res.url});
              return drop(entry.key);
            }
            entry.state = res.state;
            entry.detail = res.detail || "";
            entry.why = res.why || "";
            return put(entry);
          });
        });
      });
      return chain;
    }).catch(function () {}).then(function () { sending = false; return render(); }).then(schedule);
  }
  function schedule(waiting) {
    clearTimeout(timer);
    if (waiting) timer = setTimeout(flush, RETRY_MS);
  }
  window.addEventListener("online", flush);

  // --- The form: queue, try once, go on ----------------------------------------------------
  function notice(form, text, kind) {
    var box = document.getElementById("queue-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "queue-notice";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.className = "queue-notice " + (kind || "");
    box.textContent = "";
    [].concat(text).forEach(function (line) { box.appendChild(el("p", "", line)); });
    box.scrollIntoView({block: "center"});
  }
  function tooBig(entry) {
    return photos(entry).some(function (f) { return f[1].blob.size > MAX_BYTES; });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-queue]") || ev.defaultPrevented) return;
    ev.preventDefault();
    if (form.dataset.busy) return;  // a second tap on submit: the first one is on its way
    var entry = {
      key: newKey(), user: USER, kind: form.dataset.queue, url: form.getAttribute("action") || location.pathname,
      title: form.dataset.queueTitle || document.title, created: Date.now(), state: "waiting", tries: 0,
      fields: fieldsOf(form, ev.submitter), labels: labelsOf(form), snap: form.dataset.snap ? JSON.parse(form.dataset.snap) : null
    };
    if (entry.kind === "snap") {
      var where = form.querySelector("[name=location]");
      if (where && where.value.trim()) entry.title = W.snap + " · " + where.value.trim();
    }
    if (tooBig(entry)) { notice(form, W.tooBig, "refused"); return; }
    form.dataset.busy = "1";
    var button = ev.submitter || form.querySelector("[type=submit]");
    if (button) button.setAttribute("aria-busy", "true");
    function done() { delete form.dataset.busy; if (button) button.removeAttribute("aria-busy"); }
    put(entry).then(function () {
      return send(entry);
    }).then(function (res) {
      if (res.state === "sent") { return drop(entry.key).then(function () { location.assign(res.url); }); }
      done();
      if (res.state === "refused") {  // said on the form: the person fixes it here, nothing is lost
        return drop(entry.key).then(function () { notice(form, res.detail, "refused"); });
      }
      entry.why = res.why;
      return put(entry).then(function () {
        notice(form, [res.why, W.kept], "waiting");
        setTimeout(function () { location.assign(W.home + "#outbox"); }, 2000);
      });
    }, function () {
      done();
      form.removeAttribute("data-queue");  // IndexedDB unusable (private mode): a plain submit
      form.requestSubmit(ev.submitter || undefined);
    });
  });

  // --- The outbox on the home page ---------------------------------------------------------
  var sent = [];
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function stamp(ms) {
    var d = new Date(ms), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function button(text, cls, onclick) {
    var b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }
  function toSnap(entry) {
    var s = entry.snap || {}, notes = [], results = {}, texts = {};
    entry.fields.forEach(function (f) {
      var m = /^(result|note)-(.+)$/.exec(f[0]);
      if (m && m[1] === "result") results[m[2]] = f[1];
      if (m && m[1] === "note" && f[1].trim()) texts[m[2]] = f[1].trim();
    });
    Object.keys(results).forEach(function (k) {
      if (results[k] === "problem") notes.push((entry.labels[k] || "") + (texts[k] ? W.colon + texts[k] : ""));
    });
    var overall = entry.fields.filter(function (f) { return f[0] === "note"; }).map(function (f) { return f[1].trim(); }).filter(Boolean);
    var text = (s.location ? s.location + W.colon : "") + (notes.concat(overall).join(W.semicolon) || W.seePhotos) +
      W.openParen + W.notSubmitted + W.colon + (entry.detail || "") + W.closeParen;
    var fields = [["description", text.slice(0, 2000)], ["location", s.location || ""], ["source", "snap"]];
    if (s.organization) fields.push(["organization", s.organization]);
    // each photo keeps its evidence fields (core/photos.js), renamed with it
    var seen = {}, extra = function (name, what, j) {
      var v = entry.fields.filter(function (f) { return f[0] === name + "-" + what; })[j];
      return v ? v[1] : null;
    };
    photos(entry).forEach(function (f) {
      var j = seen[f[0]] = (seen[f[0]] === undefined ? 0 : seen[f[0]] + 1);
      fields.push(["photos", f[1]]);
      ["taken_at", "latitude", "longitude"].forEach(function (what) {
        var v = extra(f[0], what, j);
        if (v !== null) fields.push(["photos-" + what, v]);
      });
    });
    entry.fields.forEach(function (f) { if (f[0] === "keep_location") fields.push(f); });
    return {key: newKey(), user: USER, kind: "snap", url: s.url, title: W.snap + " · " + (s.location || entry.title),
      created: Date.now(), state: "waiting", tries: 0, fields: fields, labels: {}, snap: null};
  }
  function card(entry) {
    var c = el("article", "outbox-entry state-" + entry.state);
    c.dataset.key = entry.key;
    c.appendChild(el("p", "outbox-title", entry.title));
    var n = photos(entry).length;
    var meta = stamp(entry.created) + (n ? " · " + W.photos.replace("%(n)s", n) : "");
    c.appendChild(el("small", "", meta));
    var status = {waiting: W.waiting, sending: W.sending, refused: W.refusedTitle}[entry.state] || W.waiting;
    var line = el("p", "outbox-state", status + (entry.state === "refused" ? W.colon + entry.detail : (entry.why ? " · " + entry.why : "")));
    if (entry.state === "refused") line.setAttribute("role", "alert");
    c.appendChild(line);
    if (entry.state === "refused") {
      var row = el("div", "outbox-actions");
      row.appendChild(button(W.retry, "secondary", function () { entry.state = "waiting"; put(entry).then(flush); }));
      if (entry.kind === "inspection" && entry.snap && entry.snap.url) {
        row.appendChild(button(W.toSnap, "", function () {
          put(toSnap(entry)).then(function () { return drop(entry.key); }).then(flush);
        }));
      }
      row.appendChild(button(W.remove, "secondary outline", function () {
        if (window.confirm(W.removeConfirm)) drop(entry.key).then(render);
      }));
      c.appendChild(row);
    }
    return c;
  }
  // Draws the outbox (home page) and the badge (every page); resolves to "something waits".
  function render() {
    return all().then(function (entries) {
      var box = document.getElementById("outbox"), badge = document.getElementById("outbox-badge");
      var waiting = entries.filter(function (e) { return e.state !== "refused"; }).length;
      if (badge) {
        badge.hidden = !entries.length;
        badge.querySelector("b").textContent = String(entries.length);
      }
      if (box) {
        var list = box.querySelector(".outbox-list");
        list.textContent = "";
        entries.forEach(function (e) { list.appendChild(card(e)); });
        sent.forEach(function (s) {
          var p = el("p", "outbox-sent", W.sent + W.colon + s.title + " ");
          var a = el("a", "", W.open);
          a.href = s.url;
          p.appendChild(a);
          list.appendChild(p);
        });
        box.hidden = !entries.length && !sent.length;
        box.dataset.count = String(entries.length);
      }
      return waiting > 0;
    }).catch(function () { return false; });
  }

  render().then(function (waiting) { if (waiting) flush(); });
})();
