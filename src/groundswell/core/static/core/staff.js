// Small behaviours of the staff pages, kept out of the templates: the staff pages'
// Content-Security-Policy runs no inline script or handler (onchange=...) and no eval, which
// htmx's trigger filters would need.
(function () {
  // Search as you type: a typed value of any length but one fires "gs:search" on its field,
  // which the search forms' hx-trigger listens for. One character ("s") would match a tenth of
  // a big list without narrowing it.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || typeof field.value !== "string" || field.value.length === 1) return;
    field.dispatchEvent(new CustomEvent("gs:search", { bubbles: true }));
  });
  // A filter marked data-autosubmit sends its form as soon as it changes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.form && field.hasAttribute("data-autosubmit")) field.form.submit();
  });
  // The supporter list's tag picker says how many tags are chosen (the form is not re-rendered
  // when htmx swaps the results).
  document.addEventListener("change", function (event) {
    var picker = event.target && event.target.closest && event.target.closest(".tag-filter");
    if (!picker) return;
    var chosen = picker.querySelectorAll("input[type=checkbox]:checked").length;
    picker.querySelector("summary").textContent = chosen ? "Tags: " + chosen + " chosen" : "Tags: any";
  });
})();
