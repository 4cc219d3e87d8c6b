// The service worker of the installable app (issue 15), served as /sw.js with scope /.
// Keeps the shell: the static files (cache first; their names change with their content when
// collected with a hashing storage, and a new version of this file drops the old cache) and the
// home page, the start URL (network first, the kept copy when there is no network).
// Keeps the field pages too (network first, the kept copy offline): the snap report form, the
// person's task list, each due task (its checklist), checkpoint and risk point page. The home page
// names them (core/pwa.js sends "pages"), so they are there before the person goes offline.
// Every other request goes to the network untouched: no other page, form post or download is
// cached. Logging out empties the cache (core/pwa.js).
"use strict";
var CACHE = "shuangfang-shell-v2";
var START = "/";
var FIELD = /^\/(hazards\/report\/|inspections\/(tasks\/[^/]+\/|checkpoints\/[^/]+\/|risk-points\/[^/]+\/)?)$/;

self.addEventListener("install", function (event) {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.urls)) return;
  var urls = data.urls.filter(function (u) { return typeof u === "string" && u.indexOf("/static/") === 0; });
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (u) {
      return cache.match(u).then(function (hit) { return hit || cache.add(u).catch(function () {}); });
    }));
  }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "pages" || !Array.isArray(data.urls)) return;
  var urls = data.urls.filter(function (u) {
    return typeof u === "string" && u.charAt(0) === "/" && FIELD.test(u.split("?")[0]);
  });
  event.waitUntil(Promise.all(urls.map(function (u) {
    return fetch(u, {credentials: "same-origin"}).then(function (r) { return keep(u, r); }).catch(function () {});
  })));
});

// A field page as fetched (redirects followed: a checkpoint with one task opens the task), kept
// under the address asked for; never a login page or an error.
function keep(url, response) {
  if (!response.ok || /\/login\//.test(new URL(response.url).pathname)) return Promise.resolve(response);
  return response.clone().text().then(function (body) {
    var copy = new Response(body, {status: 200, headers: {"Content-Type": response.headers.get("Content-Type") || "text/html"}});
    return caches.open(CACHE).then(function (cache) {
      return Promise.all([cache.put(url, copy), keepStatics(cache, body)]);
    });
  }).then(function () { return response; });
}

// The page's own scripts and style sheets (a page kept before it was ever opened needs them).
function keepStatics(cache, html) {
  var found = {}, re = /(?:src|href)="(\/static\/[^"]+)"/g, m;
  while ((m = re.exec(html))) found[m[1].replace(/&amp;/g, "&")] = true;
  return Promise.all(Object.keys(found).map(function (u) {
    return cache.match(u).then(function (hit) { return hit || cache.add(u).catch(function () {}); });
  }));
}

function fieldPage(request) {
  var url = new URL(request.url), key = url.pathname + url.search;
  return fetch(url.href, {credentials: "same-origin"}).then(function (response) {
    if (!response.redirected) return keep(key, response);
    return keep(key, response).then(function () { return caches.match(key); }).then(function (hit) {
      return hit || Response.redirect(response.url, 302);
    });
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || caches.match(START); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

function staticFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function startPage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(START, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(START).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(staticFirst(request)); return; }
  if (request.mode !== "navigate") return;
  if (url.pathname === START && !url.search) event.respondWith(startPage(request));
  else if (FIELD.test(url.pathname)) event.respondWith(fieldPage(request));
});
