// Keyboard shortcuts of the review queue and message page (everything also works without them):
// j / k move to the next / previous message, e edits it, a approves it, r opens it to reject.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".queue .row")); }
  function current() { return document.querySelector(".queue .row.current"); }
  function move(step) {
    var all = rows(); if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, index < 0 ? 0 : index + step))];
    all.forEach(function (row) { row.classList.remove("current"); });
    next.classList.add("current");
    next.querySelector("a.seg").focus();
  }
  function onQueue(key) {
    var row = current();
    if (key === "j") { move(1); } else if (key === "k") { move(-1); }
    else if (!row) { return false; }
    else if (key === "e") { window.location.href = row.getAttribute("data-edit") + "#translation"; }
    else if (key === "r") { window.location.href = row.getAttribute("data-edit") + "#reject-reason"; }
    else if (key === "a") {
      var form = row.querySelector(".approve-form");
      if (form) { form.requestSubmit(form.querySelector("button")); }
    } else { return false; }
    return true;
  }
  function onMessage(key) {
    var target = { e: "translation", r: "reject-reason" }[key];
    if (target && document.getElementById(target)) { document.getElementById(target).focus(); return true; }
    if (key === "a" && document.getElementById("approve")) { document.getElementById("approve").click(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = document.querySelector(".queue") ? onQueue(event.key) : onMessage(event.key);
    if (handled) { event.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var hash = window.location.hash.slice(1);
    if (hash && document.getElementById(hash)) { document.getElementById(hash).focus(); }
    var first = rows()[0];
    if (first && document.querySelector(".status.shown")) { first.classList.add("current"); first.querySelector("a.seg").focus(); }
  });
})();
