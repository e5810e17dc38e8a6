/* The donation page: the countdown, the "other amount" field, and the card payment.
 *
 * Without JavaScript the page still shows the deadline and the amounts, and explains that the
 * card field needs it. With it: the form is checked by our server (which starts the payment),
 * then the card is confirmed with the processor straight from the browser (Stripe.js), and
 * only then does the browser come back to us to record the gift.
 */
(function () {
  "use strict";

  // ---- countdown
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var deadline = Date.parse(countdown.getAttribute("data-deadline"));
    var left = countdown.querySelector(".countdown-left");
    var tick = function () {
      var ms = deadline - Date.now();
      if (!(ms > 0)) { left.textContent = "the deadline has passed"; return false; }
      var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
          m = Math.floor(s % 3600 / 60), sec = s % 60;
      left.textContent = (d ? d + (d === 1 ? " day " : " days ") : "") + h + " h " + m + " min " + sec + " s left";
      return true;
    };
    if (tick()) { var timer = setInterval(function () { if (!tick()) clearInterval(timer); }, 1000); }
  }

  // ---- other amount: typing in it chooses "Other"
  var custom = document.getElementById("f-custom_amount"), other = document.getElementById("f-amount-other");
  if (custom && other) {
    custom.addEventListener("input", function () { if (custom.value) other.checked = true; });
    other.addEventListener("change", function () { custom.focus(); });
  }

  // ---- paying
  var form = document.getElementById("donate-form");
  if (!form || !form.getAttribute("data-ready") || typeof window.Stripe !== "function") return;
  var stripe = window.Stripe(form.getAttribute("data-publishable-key"));
  var card = stripe.elements().create("card");
  var cardBox = document.getElementById("card-element");
  cardBox.innerHTML = "";
  card.mount(cardBox);
  var button = document.getElementById("donate-button"), status = document.getElementById("donate-status"),
      cardErrors = document.getElementById("card-errors"), summary = document.getElementById("error-summary");

  function clearErrors() {
    summary.hidden = true;
    summary.querySelector("ul").innerHTML = "";
    cardErrors.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll(".donor-fields .field-error"), function (p) {
      p.hidden = true;
      var input = document.getElementById(p.id.replace(/-error$/, ""));
      if (input) input.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors, fields) {
    var list = summary.querySelector("ul");
    errors.forEach(function (e) {
      var li = document.createElement("li");
      if (e.anchor) {
        var a = document.createElement("a");
        a.href = "#" + e.anchor; a.textContent = e.message; li.appendChild(a);
      } else { li.textContent = e.message; }
      list.appendChild(li);
    });
    Object.keys(fields || {}).forEach(function (name) {
      var p = document.getElementById("f-" + name + "-error"), input = document.getElementById("f-" + name);
      if (p && p.querySelector(".msg")) { p.querySelector(".msg").textContent = fields[name]; p.hidden = false; }
      if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", "f-" + name + "-error"); }
    });
    summary.hidden = false;
    summary.focus();
  }

  function busy(on, message) {
    button.disabled = on;
    status.textContent = message || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    clearErrors();
    busy(true, "Checking your details…");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      var json = result.json;
      if (json.redirect) { window.location.assign(json.redirect); return; }
      if (!result.ok) { busy(false); showErrors(json.errors || [], json.fields); return; }
      busy(true, "Confirming your card…");
      return stripe.confirmCardPayment(json.client_secret, {
        payment_method: { card: card, billing_details: json.billing }
      }).then(function (outcome) {
        if (outcome.error) {
          // A new key: the donor may change the amount before trying again.
          form.querySelector("input[name=key]").value = json.next_key;
          cardErrors.textContent = outcome.error.message || "The card was not accepted.";
          cardErrors.hidden = false;
          busy(false, "Your card was not charged.");
          card.focus();
          return;
        }
        busy(true, "Thank you! Recording your gift…");
        window.location.assign(json.finish_url);
      });
    }).catch(function () {
      busy(false);
      showErrors([{ anchor: "", message: "We could not reach our server. Check your connection and try again." }], {});
    });
  });
})();
