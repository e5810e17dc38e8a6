// Draws a Vega-Lite chart with the vendored vega-embed into each [data-chart] holder (its value
// names the json_script holding the spec); the table beside it stays the fallback when scripts
// are off or drawing fails. Every staff chart (finance overview, donor-count progress, the
// analytics dashboards) uses it.
//
// "Download PNG": a button [data-png-for="<holder id>"] (hidden until the chart is drawn) saves
// the drawn chart as a PNG through vega's view.toImageURL — made in the page, from a data: URL,
// so no inline script and nothing the Content-Security-Policy forbids. The file is named after
// the holder's data-png-name (letters, digits and dashes only).
//
// "Download CSV": a button [data-csv-for="<table id>"] saves that table as shown (the text of
// each cell; the viewer's own page, so nothing their role may not see) as a CSV file named after
// data-csv-name. As the server's exports do (core/spreadsheet.py), a cell a spreadsheet would
// run as a formula (=, +, -, @, tab or CR first, and not a plain number) gets an apostrophe.
(function () {
  var views = {};
  var FORMULA_START = "=+-@\t\r";
  var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

  function csvCell(cell) {
    var text = (cell.innerText || cell.textContent || "").replace(/\s+/g, " ").trim();
    if (text && FORMULA_START.indexOf(text.charAt(0)) >= 0 && !NUMBER.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function tableCsv(table) {
    var lines = [];
    table.querySelectorAll("tr").forEach(function (row) {
      var cells = [];
      row.querySelectorAll("th, td").forEach(function (cell) { cells.push(csvCell(cell)); });
      lines.push(cells.join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function offerCsv() {
    document.querySelectorAll("[data-csv-for]").forEach(function (button) {
      var table = document.getElementById(button.getAttribute("data-csv-for"));
      if (!table) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var name = (button.getAttribute("data-csv-name") || "table").replace(/[^A-Za-z0-9-]+/g, "-");
        var link = document.createElement("a");
        // A byte-order mark first, so a spreadsheet reads the file as UTF-8.
        link.href = "data:text/csv;charset=utf-8," + encodeURIComponent("\ufeff" + tableCsv(table));
        link.download = (name.slice(0, 60) || "table") + ".csv";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });
  }

  function fileName(holder) {
    var name = (holder.getAttribute("data-png-name") || "chart").replace(/[^A-Za-z0-9-]+/g, "-");
    return (name.slice(0, 60) || "chart") + ".png";
  }

  function offerPng(holder) {
    if (!holder.id) return;
    document.querySelectorAll('[data-png-for="' + holder.id + '"]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var view = views[holder.id];
        if (!view) return;
        button.disabled = true;
        view.toImageURL("png", 2)
          .then(function (url) {
            var link = document.createElement("a");
            link.href = url;
            link.download = fileName(holder);
            document.body.appendChild(link);
            link.click();
            link.remove();
          })
          .catch(function (error) { if (window.console) console.error(error); })
          .then(function () { button.disabled = false; });
      });
    });
  }

  function draw() {
    var holders = document.querySelectorAll("[data-chart]");
    if (typeof window.vegaEmbed !== "function") return;
    holders.forEach(function (holder) {
      var data = document.getElementById(holder.getAttribute("data-chart"));
      if (!data) return;
      var spec = JSON.parse(data.textContent);
      window.vegaEmbed(holder, spec, { actions: false, renderer: "svg", ast: true })
        .then(function (result) {
          if (holder.id) views[holder.id] = result.view;
          holder.setAttribute("data-drawn", "yes");
          offerPng(holder);
        })
        .catch(function (error) {
          holder.setAttribute("data-drawn", "failed");
          holder.textContent = "The chart could not be drawn; the table below has the same numbers.";
          if (window.console) console.error(error);
        });
    });
  }
  function start() {
    offerCsv();
    draw();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
