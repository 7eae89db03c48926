(function () {
  "use strict";
  var table = document.getElementById("suppliers");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var shown = document.getElementById("shown-number");
  var haystack = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function applyFilter() {
    var needle = text.value.trim().toLowerCase();
    var wanted = status.value;
    var count = 0;
    rows.forEach(function (row, i) {
      var ok = (!wanted || row.getAttribute("data-status") === wanted) &&
        (!needle || haystack[i].indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
  }

  var collator = new Intl.Collator(document.documentElement.lang || "es", { numeric: true, sensitivity: "base" });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.getAttribute("data-kind") === "number";
      var order = rows.map(function (row, i) { return i; });
      order.sort(function (a, b) {
        var x = rows[a].cells[column].getAttribute("data-value");
        var y = rows[b].cells[column].getAttribute("data-value");
        var result = numeric ? parseFloat(x) - parseFloat(y) : collator.compare(x, y);
        if (result === 0) { result = a - b; }
        return ascending ? result : -result;
      });
      var fragment = document.createDocumentFragment();
      var sortedRows = order.map(function (i) { return rows[i]; });
      var sortedHay = order.map(function (i) { return haystack[i]; });
      sortedRows.forEach(function (row) { fragment.appendChild(row); });
      body.appendChild(fragment);
      rows = sortedRows;
      haystack = sortedHay;
    });
  });
  text.addEventListener("input", applyFilter);
  status.addEventListener("change", applyFilter);
}());
