/* Small enhancements of the case pages. Every page works without them. */
(function () {
  "use strict";

  // A form marked data-once is sent once: a double click makes one request (the server
  // is idempotent as well, so this only spares the second round trip).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) { return; }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    });
  });
  // Coming back with the browser's back button shows the form usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
      });
    });
  });

  // The error summary takes the focus so that screen readers read it first.
  var summary = document.querySelector(".error-summary[data-focus]");
  if (summary) { summary.focus(); }

  // Typing a problem for a material ticks it in the correction list.
  document.querySelectorAll(".correction-row").forEach(function (row) {
    var tick = row.querySelector("input[type=checkbox]");
    var text = row.querySelector("input[type=text]");
    if (!tick || !text) { return; }
    text.addEventListener("input", function () {
      if (text.value.trim()) { tick.checked = true; }
    });
  });

  // Sortable tables: the column headers become buttons (keyboard reachable).
  function cellKey(cell, kind) {
    var value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (kind === "number") { return parseFloat(value) || 0; }
    return value;
  }

  function sortRows(table, column, kind, ascending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.filter.call(body.rows, function (row) {
      return row.cells.length > column;
    });
    rows.sort(function (a, b) {
      var x = cellKey(a.cells[column], kind);
      var y = cellKey(b.cells[column], kind);
      var order = kind === "number" ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headers = table.querySelectorAll("th[data-sort]");
    headers.forEach(function (th) {
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = th.textContent.trim();
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortRows(table, column, th.dataset.sort, ascending);
      });
    });
  });
}());
