// Small behaviours every page may use, declared with data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script; docs/security.md):
//   <select data-autosubmit>           submits its form when changed
//   <form data-confirm="Question?">    asks before submitting
//   <button data-print>                prints the page
//   <a data-back href="fallback">      goes back in history (the href when there is none)
//   <tr data-href="url">               the row opens url unless a link inside it was clicked
//   <button data-fill="element-id">    copies its text into the element
//   <h1 data-remember-place="name">    a place the person just scanned (QR code of a checkpoint or
//                                      risk point): kept on the phone for the next snap report
//   <input data-chooser>               a filter's search box (core.choosers): typing loads matches
//                                      into the select beside it, and is not itself a filter change
(function () {
  "use strict";
  var here = document.querySelector("[data-remember-place]");
  if (here && here.dataset.rememberPlace.trim()) {
    try {
      localStorage.setItem("sf.lastPlace", JSON.stringify({name: here.dataset.rememberPlace.trim(), at: Date.now()}));
    } catch (e) { /* private mode: nothing remembered */ }
  }
  function quietChooser(ev) {
    if (ev.target.matches && ev.target.matches("input[data-chooser]")) ev.stopPropagation();
  }
  document.addEventListener("change", quietChooser, true);
  document.addEventListener("keyup", quietChooser, true);
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target : ev.target.parentElement;
    if (!t) return;
    if (t.closest("[data-print]")) { window.print(); return; }
    var back = t.closest("a[data-back]");
    if (back && window.history.length > 1) { ev.preventDefault(); window.history.back(); return; }
    var fill = t.closest("[data-fill]");
    if (fill) {
      var target = document.getElementById(fill.dataset.fill);
      if (target) target.value = fill.textContent;
      return;
    }
    var row = t.closest("tr[data-href]");
    if (row && !t.closest("a, button, input, select, label")) window.location.href = row.dataset.href;
  });
})();
