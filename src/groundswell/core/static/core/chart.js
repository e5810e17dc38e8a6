// Draws a Vega-Lite chart with the vendored vega-embed into each [data-chart] holder (its value
// names the json_script holding the spec); the table beside it stays the fallback when scripts
// are off or drawing fails. Every staff chart (finance overview, donor-count progress, the
// analytics dashboards) uses it.
//
// "Download PNG": a button [data-png-for="<holder id>"] (hidden until the chart is drawn) saves
// the drawn chart as a PNG through vega's view.toImageURL — made in the page, from a data: URL,
// so no inline script and nothing the Content-Security-Policy forbids. The file is named after
// the holder's data-png-name (letters, digits and dashes only).
(function () {
  var views = {};

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
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
