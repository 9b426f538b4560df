/* skinaudit reports: sortable and filterable tables, the copy button. Reads and moves existing
   nodes only (textContent, never innerHTML), so no scraped text is ever parsed as HTML. */
(function () {
  "use strict";
  function value(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim() : v;
  }
  function sortTable(table, th, i) {
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, i), y = value(b, i);
      if (numeric) {
        x = x === "" ? -Infinity : Number(x);
        y = y === "" ? -Infinity : Number(y);
        return x === y ? 0 : (x < y ? -dir : dir);
      }
      return x.localeCompare(y) * dir;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    body.appendChild(frag);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortTable(table, th, i); }); }
    });
  });
  function applyFilters(tableId) {
    var table = document.getElementById(tableId);
    if (!table) { return; }
    var controls = document.querySelectorAll("[data-filter='" + tableId + "']");
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var keep = true;
      Array.prototype.forEach.call(controls, function (c) {
        var want = c.value.trim().toLowerCase();
        if (!want) { return; }
        var key = c.getAttribute("data-key");
        var have = key ? (row.getAttribute("data-" + key) || "") : row.textContent.toLowerCase();
        if (key ? have.toLowerCase() !== want : have.indexOf(want) < 0) { keep = false; }
      });
      row.classList.toggle("hidden-row", !keep);
      shown += keep ? 1 : 0;
    });
    var counter = document.getElementById(tableId + "-count");
    if (counter) { counter.textContent = String(shown); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (c) {
    var id = c.getAttribute("data-filter");
    c.addEventListener("input", function () { applyFilters(id); });
    c.addEventListener("change", function () { applyFilters(id); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      source.focus();
      source.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
}());
