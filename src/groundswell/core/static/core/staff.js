// Small behaviours of the staff pages, kept out of the templates: the staff pages'
// Content-Security-Policy runs no inline script or handler (onchange=...) and no eval, which
// htmx's trigger filters would need.
(function () {
  // Fields a person types into. Their "change" comes when they lose focus, which is also when
  // a staff member taps a result: a search sent then could push its address over the page the
  // tap is opening. So typed fields search only as they are typed ("gs:search"), and only the
  // other fields (lists, boxes, dates) send "gs:filter" when they change.
  var TYPED = { text: 1, search: 1, email: 1, tel: 1, url: 1, number: 1 };
  function isTyped(field) {
    return field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && TYPED[field.type] === 1);
  }
  // Search as you type: a typed value of any length but one fires "gs:search" on its field,
  // which the search forms' hx-trigger listens for. One character ("s") would match a tenth of
  // a big list without narrowing it.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || !isTyped(field) || field.value.length === 1) return;
    field.dispatchEvent(new CustomEvent("gs:search", { bubbles: true }));
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field || !field.form || isTyped(field)) return;
    field.dispatchEvent(new CustomEvent("gs:filter", { bubbles: true }));
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
