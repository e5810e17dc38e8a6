/* Inside the events widget's iframe: tell the embedding page how tall the list is. */
(function () {
  "use strict";
  if (window.parent === window) return;
  function report() {
    // The content's own height: the document's scrollHeight never drops below the frame's.
    var main = document.querySelector("main");
    var height = Math.ceil((main || document.body).getBoundingClientRect().bottom + scrollY) + 8;
    window.parent.postMessage({ groundswellEventsHeight: height }, "*");
  }
  addEventListener("load", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
})();
