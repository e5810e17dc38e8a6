// The page builder's address (slug) follows the title while a new page is written, until
// staff type an address of their own. Kept out of the template: the staff pages'
// Content-Security-Policy runs no inline script. Without JavaScript the server fills an empty
// address from the title, so this is a preview of what it will do, not the only way.
(function () {
  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 72)
      .replace(/^-+|-+$/g, "");
  }
  function wire(slug) {
    var title = document.getElementById(slug.getAttribute("data-slug-from"));
    if (!title) return;
    // An address already there (a form sent back with errors) is the staff's own choice.
    var typed = slug.value !== "" && slug.value !== slugify(title.value);
    slug.addEventListener("input", function () {
      typed = slug.value !== "";
    });
    title.addEventListener("input", function () {
      if (!typed) slug.value = slugify(title.value);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("input[data-slug-from]");
    for (var i = 0; i < fields.length; i++) wire(fields[i]);
  });
})();
