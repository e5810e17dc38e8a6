// Draws a Vega-Lite chart with the vendored vega-embed into each [data-chart] holder (its value
// names the json_script holding the spec); the table beside it stays the fallback when scripts
// are off or drawing fails. Every staff chart (finance overview, donor-count progress) uses it.
(function () {
  function draw() {
    var holders = document.querySelectorAll("[data-chart]");
    if (typeof window.vegaEmbed !== "function") return;
    holders.forEach(function (holder) {
      var data = document.getElementById(holder.getAttribute("data-chart"));
      if (!data) return;
      var spec = JSON.parse(data.textContent);
      window.vegaEmbed(holder, spec, { actions: false, renderer: "svg", ast: true })
        .then(function () { holder.setAttribute("data-drawn", "yes"); })
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
