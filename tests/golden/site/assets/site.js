// Optional enhancements; every page works without this file.
(function () {
  "use strict";

  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + "d");
    if (hours) parts.push(hours + "h");
    if (mins && !days) parts.push(mins + "m");
    return parts.slice(0, 2).join(" ") || "0m";
  }

  // Time left until each feedback deadline, from the reader's clock rather than the build's.
  function updateDeadlines() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - now;
      if (isNaN(left)) return;
      el.textContent = left < 0 ? duration(left) + " overdue" : duration(left) + " left";
    });
  }

  // Narrow the decisions listed on this page by several facets at once.
  function setUpFilter(form) {
    var items = Array.prototype.slice.call(document.querySelectorAll("li.item"));
    var out = form.querySelector("output");
    form.hidden = false;
    form.addEventListener("change", function () {
      var shown = 0;
      items.forEach(function (li) {
        var ok = Array.prototype.every.call(form.elements, function (el) {
          if (!el.name || !el.value) return true;
          return (" " + (li.getAttribute("data-" + el.name) || "") + " ").indexOf(" " + el.value + " ") >= 0;
        });
        li.hidden = !ok;
        if (ok) shown += 1;
      });
      document.querySelectorAll("section.month").forEach(function (sec) {
        sec.hidden = !sec.querySelector("li.item:not([hidden])");
      });
      out.textContent = shown + " of " + items.length + " shown";
    });
  }

  function setUpSearch(el) {
    if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
      var note = document.querySelector(".search-unavailable");
      if (note) note.hidden = false;
      return;
    }
    new PagefindUI({ element: el, showSubResults: true, showImages: false });
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateDeadlines();
    setInterval(updateDeadlines, 60000);
    var form = document.querySelector("form.js-filter");
    if (form) setUpFilter(form);
    var search = document.querySelector("[data-search]");
    if (search) setUpSearch(search);
  });
})();
