// On a phone a tabular inline shows each row as a card (admin.css): each cell carries its
// column's header as data-label, read here from the table's own head once the page loads.
// The empty row that "添加" copies is labelled too, so added rows are.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
    var labels = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.from(row.children).forEach(function (cell, index) {
        if (labels[index] && cell.colSpan === 1) cell.dataset.label = labels[index];
      });
    });
  });
});
