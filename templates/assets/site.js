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
  // A deadline that was still open when the page was built (data-open) and has passed since
  // says so: who is awaited may have changed (silence may count), which the next build shows;
  // the page does not guess. One that had passed at the build is overdue.
  function updateDeadlines() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - now;
      if (isNaN(left)) return;
      var builtOpen = el.hasAttribute("data-open");
      if (left >= 0) el.textContent = duration(left) + " left";
      else if (builtOpen) el.textContent = "passed " + duration(left) + " ago, after this page was built";
      else el.textContent = duration(left) + " overdue";
      var overdue = left < 0 && !builtOpen;
      el.classList.toggle("overdue", overdue);
      var item = el.closest(".attention");
      if (item && !item.classList.contains("is-ready")) item.classList.toggle("overdue", overdue);
    });
  }

  function has(el, name, value) {
    return (" " + (el.getAttribute("data-" + name) || "") + " ").indexOf(" " + value + " ") >= 0;
  }

  // Narrow the decisions listed on this page by several facets at once (and by words, in the index).
  function setUpFilter(form) {
    var items = Array.prototype.slice.call(document.querySelectorAll(".item"));
    var out = form.querySelector("output");
    form.hidden = false;
    function apply() {
      var shown = 0;
      items.forEach(function (it) {
        var ok = Array.prototype.every.call(form.elements, function (el) {
          if (!el.name || !el.value) return true;
          if (el.name === "q") return it.textContent.toLowerCase().indexOf(el.value.toLowerCase()) >= 0;
          return has(it, el.name, el.value) || has(it, "more", el.name);
        });
        it.hidden = !ok;
        if (ok) shown += 1;
      });
      document.querySelectorAll("section.month").forEach(function (sec) {
        sec.hidden = !sec.querySelector(".item:not([hidden])");
      });
      out.textContent = shown + " of " + items.length + " shown";
    }
    form.addEventListener("change", apply);
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  // How many decisions each value of the filter bar has: from facets.js, one file for the whole
  // site (a status change does not rewrite every list page). Without it the bar shows no numbers.
  function showCounts(nav) {
    var all = window.declogFacets;
    if (!all || typeof all !== "object") return;
    nav.querySelectorAll(".facet[data-facet]").forEach(function (div) {
      var facet = div.getAttribute("data-facet");
      if (!Object.prototype.hasOwnProperty.call(all, facet) || !Array.isArray(all[facet])) return;
      var counts = new Map(all[facet]);
      div.querySelectorAll("li[data-value]").forEach(function (li) {
        var n = counts.get(li.getAttribute("data-value"));
        if (typeof n !== "number" || li.querySelector(".count")) return;
        var span = document.createElement("span");
        span.className = "count";
        span.textContent = String(n);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(span);
      });
    });
  }

  // Sort a table by a column: a button in each header; numbers and dates sort as such.
  function setUpSort(table) {
    var body = table.tBodies[0];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          return cell.getAttribute("data-value") || cell.textContent.trim().toLowerCase();
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function setUpSearch(el) {
    if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
      var note = document.querySelector(".search-unavailable");
      if (note) note.hidden = false;
      return;
    }
    new PagefindUI({
      element: el, showSubResults: false, showImages: false, excerptLength: 24,
      // A decision is known by its number: put it before the title, as every list of the site does.
      processResult: function (result) {
        var m = /\/decisions\/([0-9]+)\/(index\.html)?$/.exec(result.url || "");
        if (m && result.meta && result.meta.title && result.meta.title.indexOf(m[1] + " ") !== 0) {
          result.meta.title = m[1] + " " + result.meta.title;
        }
        return result;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateDeadlines();
    setInterval(updateDeadlines, 60000);
    var form = document.querySelector("form.js-filter");
    if (form) setUpFilter(form);
    document.querySelectorAll("table.index").forEach(setUpSort);
    // The timeline's filters start folded (small screens); a wide screen has room to show them.
    document.querySelectorAll("nav.facets").forEach(showCounts);
    var filters = document.querySelector("details.filters");
    if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;
    var search = document.querySelector("[data-search]");
    if (search) setUpSearch(search);
  });
})();
