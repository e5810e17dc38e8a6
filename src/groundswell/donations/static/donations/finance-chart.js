// Draws the finance overview's by-day chart with the vendored vega-embed; the table beside it
// stays the fallback when scripts are off or drawing fails.
(function () {
  function draw() {
    var holder = document.getElementById("by-day-chart");
    var data = document.getElementById("by-day-spec");
    if (!holder || !data || typeof window.vegaEmbed !== "function") return;
    var spec = JSON.parse(data.textContent);
    window.vegaEmbed(holder, spec, { actions: false, renderer: "svg", ast: true })
      .then(function () { holder.setAttribute("data-drawn", "yes"); })
      .catch(function (error) {
        holder.setAttribute("data-drawn", "failed");
        holder.textContent = "The chart could not be drawn; the table below has the same numbers.";
        if (window.console) console.error(error);
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
