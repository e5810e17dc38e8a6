/*! Groundswell events widget: <script src="https://<groundswell>/events/embed.js"
 * data-type="canvass" data-zip="20001" data-miles="25" async></script> (every data- attribute
 * optional). Puts the campaign's upcoming events in an iframe right after this tag and keeps
 * the frame as tall as its list. No cookies, no framework. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.parentNode) return;
  var base = new URL(script.src, location.href).origin;
  var params = new URLSearchParams();
  ["type", "zip", "miles"].forEach(function (name) {
    var value = (script.getAttribute("data-" + name) || "").trim();
    if (value) params.set(name, value.slice(0, 20));
  });
  var frame = document.createElement("iframe");
  frame.src = base + "/events/embed/" + (params.toString() ? "?" + params : "");
  frame.title = script.getAttribute("data-title") || "Upcoming events";
  frame.loading = "lazy";
  frame.style.cssText = "display:block;width:100%;max-width:100%;height:480px;border:0";
  script.parentNode.insertBefore(frame, script.nextSibling);
  // The frame says how tall its list is; only our own origin and this frame are listened to.
  addEventListener("message", function (e) {
    if (e.origin !== base || e.source !== frame.contentWindow) return;
    var height = Number(e.data && e.data.groundswellEventsHeight);
    if (height > 0 && height < 20000) frame.style.height = Math.ceil(height) + "px";
  });
})();
