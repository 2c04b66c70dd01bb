// Sorting of the review pages' tables, in the browser. Progressive
// enhancement: without this script the tables read in the server's order.
//
// A table marked data-sortable gets, in each header cell that has a
// data-sort type (text, number, date, phase), a button that sorts its rows
// by that column, ascending then descending; aria-sort says which column
// sorts the table and how, and a live region says it in words. A cell's
// data-value, when there is one, is what it sorts by (ISO dates, numbers);
// empty values go last either way.
(function () {
  "use strict";

  const collator = new Intl.Collator("fr", { sensitivity: "base", numeric: true });

  function valueOf(cell, type) {
    if (!cell) return null;
    const raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (raw === "") return null;
    if (type === "number" || type === "phase") {
      const n = Number(raw.replace(/\s/g, "").replace(",", "."));
      return Number.isNaN(n) ? null : n;
    }
    return raw;
  }

  function compare(a, b, type) {
    if (type === "number" || type === "phase") return a - b;
    if (type === "date") return a < b ? -1 : a > b ? 1 : 0;
    return collator.compare(a, b);
  }

  function sortTable(table, column, type, direction, status) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).map((row, index) => ({ row, index, value: valueOf(row.cells[column], type) }));
    rows.sort((x, y) => {
      if (x.value === null || y.value === null) {
        if (x.value === y.value) return x.index - y.index;
        return x.value === null ? 1 : -1;
      }
      const c = compare(x.value, y.value, type);
      return (direction === "ascending" ? c : -c) || x.index - y.index;
    });
    for (const r of rows) body.appendChild(r.row);
    const headers = table.tHead.rows[0].cells;
    for (let i = 0; i < headers.length; i++) {
      if (i === column) headers[i].setAttribute("aria-sort", direction);
      else headers[i].removeAttribute("aria-sort");
    }
    const name = headers[column].querySelector("button").dataset.label;
    status.textContent = "Tableau trié par " + name + ", ordre " + (direction === "ascending" ? "croissant" : "décroissant") + ".";
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies[0]) return;
    const status = document.createElement("p");
    status.className = "fr-sr-only";
    status.setAttribute("aria-live", "polite");
    table.parentNode.insertBefore(status, table);
    const headers = table.tHead.rows[0].cells;
    for (let i = 0; i < headers.length; i++) {
      const th = headers[i];
      const type = th.dataset.sort;
      if (!type) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "review-sort";
      button.dataset.label = th.textContent.trim();
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      // Chromium does not paint a button in a table header it repeats on
      // a later printed page: print shows this copy of the label instead
      // (review.css), hidden from the screen and from screen readers.
      const printed = document.createElement("span");
      printed.className = "review-print-label";
      printed.setAttribute("aria-hidden", "true");
      printed.textContent = button.dataset.label;
      th.appendChild(printed);
      button.addEventListener("click", () => {
        const direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, i, type, direction, status);
      });
    }
    table.classList.add("review-sortable");
  }

  function start() {
    document.querySelectorAll("table[data-sortable]").forEach(enhance);
    // A section live.js brought up to date.
    document.addEventListener("review:updated", (e) => e.target.querySelectorAll("table[data-sortable]").forEach(enhance));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
