/* A stand-in for Stripe.js, served by the local Stripe double for browser tests only.
 *
 * It offers the calls our donation page makes: Stripe(pk), elements().create("card"), mount(),
 * on("change"), confirmCardPayment(clientSecret, {payment_method: {card, billing_details}}),
 * and posts the card to the double's API the way Stripe.js posts it to Stripe. In production
 * the page loads the real Stripe.js from js.stripe.com (PCI requires it).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/\/js\/stripe\.js.*$/, "") : "";

  function encode(data, prefix, out) {
    out = out || [];
    Object.keys(data).forEach(function (key) {
      var value = data[key], name = prefix ? prefix + "[" + key + "]" : key;
      if (value === null || value === undefined) return;
      if (typeof value === "object") encode(value, name, out);
      else out.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
    });
    return out.join("&");
  }

  function CardElement() {
    this.input = null;
    this.handlers = {};
  }
  CardElement.prototype.mount = function (target) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    var label = document.createElement("label");
    label.setAttribute("for", "stripe-double-card");
    label.textContent = "Card number";
    label.className = "visually-hidden";
    var input = document.createElement("input");
    input.id = "stripe-double-card";
    input.type = "text";
    input.inputMode = "numeric";
    input.autocomplete = "cc-number";
    input.placeholder = "Card number";
    input.setAttribute("data-stripe-double", "card");
    var self = this;
    input.addEventListener("input", function () {
      var digits = input.value.replace(/\D/g, "");
      (self.handlers.change || []).forEach(function (fn) {
        fn({ complete: digits.length >= 15, empty: !digits.length, error: undefined });
      });
    });
    container.appendChild(label);
    container.appendChild(input);
    this.input = input;
  };
  CardElement.prototype.on = function (name, fn) {
    (this.handlers[name] = this.handlers[name] || []).push(fn);
  };
  CardElement.prototype.focus = function () { if (this.input) this.input.focus(); };

  function Stripe(publishableKey) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey);
    this.key = publishableKey;
  }
  Stripe.prototype.elements = function () {
    return { create: function (kind) {
      if (kind !== "card") throw new Error("The Stripe double offers only the card element.");
      return new CardElement();
    } };
  };
  Stripe.prototype.confirmCardPayment = function (clientSecret, data) {
    var intent = clientSecret.split("_secret_")[0];
    var method = (data && data.payment_method) || {};
    var number = method.card && method.card.input ? method.card.input.value.replace(/\D/g, "") : "";
    var body = encode({
      client_secret: clientSecret,
      payment_method_data: {
        type: "card",
        card: { number: number },
        billing_details: method.billing_details || {}
      }
    });
    return fetch(base + "/v1/payment_intents/" + intent + "/confirm", {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + this.key,
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body
    }).then(function (response) {
      return response.json().then(function (json) {
        if (json.error) return { error: json.error };
        return { paymentIntent: json };
      });
    }, function () {
      return { error: { type: "api_connection_error", message: "We could not reach the card processor." } };
    });
  };
  window.Stripe = Stripe;
})();
