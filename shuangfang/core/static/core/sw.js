// The service worker of the installable app (issue 15), served as /sw.js with scope /.
// Keeps the shell: the static files (cache first; their names change with their content when
// collected with a hashing storage, and a new version of this file drops the old cache) and the
// home page, the start URL (network first, the kept copy when there is no network). Every other
// request goes to the network untouched: no other page, form post or download is cached.
"use strict";
var CACHE = "shuangfang-shell-v1";
var START = "/";

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
  if (request.mode === "navigate" && url.pathname === START && !url.search) event.respondWith(startPage(request));
});
