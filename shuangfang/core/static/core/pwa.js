// Registers the service worker (/sw.js, scope /) and hands it the page's own static files to keep,
// so the home screen app opens without the network. Logging out empties the worker's cache (the
// cached home page is a person's page: a shared phone must not show it to the next person).
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !("serviceWorker" in navigator)) return;
  var url = me.dataset.sw;
  function assets() {
    var found = [];
    document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon][href]").forEach(function (el) {
      var u = new URL(el.getAttribute("href") || el.getAttribute("src"), location.href);
      if (u.origin === location.origin) found.push(u.pathname + u.search);
    });
    return found;
  }
  navigator.serviceWorker.register(url, {scope: "/"}).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (reg) {
    if (reg.active) reg.active.postMessage({type: "precache", urls: assets()});
    var pages = document.getElementById("offline-pages");  // the home page: the field pages to keep
    if (reg.active && pages && navigator.onLine) reg.active.postMessage({type: "pages", urls: JSON.parse(pages.textContent)});
    document.documentElement.dataset.sw = "ready";
  }).catch(function () {});
  document.addEventListener("submit", function (ev) {
    if (ev.target.matches("form[data-clear-cache]") && window.caches) {
      caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    }
  });
})();
