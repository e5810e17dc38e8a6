/*! Groundswell newsletter pop-up: <script src="https://<groundswell>/embed.js" data-form="<slug>"
 * async></script>. Fetches the form's copy and a signed token, then offers the newsletter in an
 * accessible modal after a delay, on scroll depth or on exit intent. It lives in a shadow root,
 * so the host page's styles and ours never meet. No framework, no cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !Element.prototype.attachShadow) return;
  var slug = script.getAttribute("data-form") || "";
  var base = new URL(script.src, location.href).origin;
  var endpoint = base + "/embed/" + encodeURIComponent(slug);
  var key = "groundswell:" + base + ":" + slug;
  var uid = 0;
  var touch = matchMedia("(hover: none), (pointer: coarse)").matches;

  function load(name) {
    try { return localStorage.getItem(name); } catch (e) { return null; }
  }
  function save(name, value) {
    try { localStorage.setItem(name, value); } catch (e) { /* private mode */ }
  }
  if (!slug || load(key)) return; // dismissed or signed up before: never again

  // Visitors keep their page-copy variant across visits.
  var visitor = load("groundswell:visitor");
  if (!visitor) {
    visitor = Math.random().toString(36).slice(2) + Date.now().toString(36);
    save("groundswell:visitor", visitor);
  }
  var query = "?visitor=" + encodeURIComponent(visitor) +
    "&variant=" + encodeURIComponent(load(key + ":variant") || "");

  fetch(endpoint + "/config" + query, { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (config) {
      if (!config) return;
      // An async script in the <head> may run before the page's body exists.
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { arm(config); });
      } else arm(config);
    })
    .catch(function () { console.warn("Groundswell: no pop-up (is this origin allowed?)"); });

  function arm(config) {
    if (config.variant) save(key + ":variant", String(config.variant));
    var value = Math.max(0, Number(config.value) || 0);
    var shown = false;
    function once() {
      if (shown) return;
      shown = true;
      removeEventListener("scroll", onScroll);
      document.removeEventListener("mouseout", onLeave);
      show(config);
    }
    function onScroll() {
      var depth = (scrollY + innerHeight) / Math.max(1, document.documentElement.scrollHeight);
      if (depth * 100 >= Math.min(100, value)) once();
    }
    function onLeave(e) {
      if (!e.relatedTarget && e.clientY <= 0) once(); // the pointer left through the top
    }
    if (config.trigger === "scroll") {
      addEventListener("scroll", onScroll, { passive: true });
      onScroll(); // a page too short to scroll has been read already
    } else if (config.trigger === "exit" && !touch) {
      document.addEventListener("mouseout", onLeave);
    } else {
      // A delay; or exit intent on a touch screen, which has no pointer to leave the page.
      setTimeout(once, (value || (config.trigger === "exit" ? 10 : 0)) * 1000);
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) {
      var v = attrs[name];
      if (v !== false && v != null) node.setAttribute(name, v === true ? "" : v);
    }
    (children || []).forEach(function (c) { if (c != null) node.append(c); }); // text, never HTML
    return node;
  }

  function show(config) {
    var color = /^#[0-9a-f]{6}$/i.test(config.color) ? config.color : "#1f6f5c";
    var n = parseInt(color.slice(1), 16);
    var light = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) > 160;
    var label = config.button || "Sign up";
    var returnTo = document.activeElement;
    var host = el("groundswell-popup");
    host.style.cssText = "all:initial;position:fixed;inset:0;z-index:2147483647";
    var root = host.attachShadow({ mode: "open" });
    var fields = {};
    // Always in the page (a live region that appears is not reliably read), hidden unless needed.
    var live = el("p", { class: "live sr", role: "status", "aria-live": "polite" });
    var button = el("button", { type: "submit", class: "send" }, [label]);
    var form = el("form", { novalidate: true }, (config.fields || []).map(function (f) {
      return field(f, fields);
    }).concat([
      el("div", { class: "hp", "aria-hidden": "true" }, [el("label", {}, ["Leave this empty ",
        el("input", { name: config.honeypot || "website", tabindex: "-1", autocomplete: "off" })])]),
      config.consent ? el("p", { class: "consent" }, [config.consent]) : null,
      live,
      button
    ]));
    var close = el("button", { type: "button", class: "close", "aria-label": "Close" }, ["\u00d7"]);
    var intro = (config.intro || "").split(/\n\s*\n/).filter(Boolean).map(function (text) {
      return el("p", { class: "intro" }, [text]);
    });
    var title = el("h2", { id: "gs-title", tabindex: "-1" }, [config.headline || ""]);
    var body = el("div", { class: "body" }, [title].concat(intro, [form]));
    var dialog = el("div", { class: "dialog", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "gs-title" }, [el("div", { class: "bar" }), close, body]);
    var wrap = el("div", { class: "wrap" }, [dialog]);
    root.append(el("style", {}, [CSS.replace(/ON_PRIMARY/g, light ? "#111" : "#fff")
      .replace(/PRIMARY/g, color)]), el("div", { class: "backdrop" }), wrap);

    var overflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = "hidden"; // the page behind does not scroll
    document.body.append(host);
    // On a touch screen the heading takes focus, so the keyboard does not cover the sheet.
    (touch ? title : form.querySelector("input, select, textarea") || close).focus();

    function dismiss() {
      if (!load(key)) save(key, "dismissed");
      document.removeEventListener("keydown", onKey, true);
      document.documentElement.style.overflow = overflow;
      host.remove();
      if (returnTo && returnTo.focus && document.contains(returnTo)) returnTo.focus();
    }
    function onKey(e) {
      if (e.key === "Escape") {
        e.preventDefault();
        dismiss();
      } else if (e.key === "Tab") {
        // Keep focus in the dialog: past the last control comes the first, and back.
        var items = [].filter.call(dialog.querySelectorAll("button, input, select, textarea"),
          function (n) { return !n.disabled && n.tabIndex >= 0 && n.offsetParent !== null; });
        var at = items.indexOf(root.activeElement);
        var last = items.length - 1;
        e.preventDefault();
        items[e.shiftKey ? (at <= 0 ? last : at - 1) : (at < 0 || at === last ? 0 : at + 1)].focus();
      }
    }
    document.addEventListener("keydown", onKey, true);
    close.addEventListener("click", dismiss);
    wrap.addEventListener("click", function (e) { if (e.target === wrap) dismiss(); });

    var sending = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (sending) return; // a double click sends once; the token makes the server record one
      sending = true;
      button.disabled = true;
      button.textContent = live.textContent = "Sending\u2026";
      live.className = "live sr";
      var data = new URLSearchParams(new FormData(form));
      data.set("token", config.token);
      data.set("url", location.href);
      if (config.variant) data.set("variant", config.variant);
      // Form-encoded, so the browser sends it without a CORS preflight.
      fetch(endpoint + "/submit", { method: "POST", body: data, credentials: "omit" })
        .then(function (r) {
          return r.json().catch(function () { return {}; });
        })
        .then(function (json) {
          if (json.ok) done(json.message, json.ask);
          else fail(json.errors || { form: "Something went wrong; please try again." });
        }, function () {
          fail({ form: "The sign-up could not be sent. Check your connection and try again." });
        });
    });

    function fail(errors) {
      sending = false;
      button.disabled = false;
      button.textContent = label;
      var messages = [];
      var focus = null;
      var general = false;
      for (var name in errors) {
        if (!fields[name]) {
          messages.push(errors[name]);
          general = true;
        }
      }
      for (name in fields) {
        var f = fields[name];
        var message = errors[name];
        f.error.textContent = message || "";
        f.error.hidden = !message;
        if (message) {
          f.input.setAttribute("aria-invalid", "true");
          f.input.setAttribute("aria-describedby", f.error.id);
          messages.push(message);
          focus = focus || (f.input.tagName === "FIELDSET" ? f.input.querySelector("input") : f.input);
        } else {
          f.input.removeAttribute("aria-invalid");
          f.input.removeAttribute("aria-describedby");
        }
      }
      // Announced in full; shown only when not already shown beside its field.
      live.textContent = messages.join(" ");
      live.className = general ? "live bad" : "live sr";
      if (focus) focus.focus();
    }

    function done(message, ask) {
      save(key, "signed-up");
      var thanks = el("h2", { id: "gs-title", tabindex: "-1" }, ["Thank you!"]);
      var ok = el("button", { type: "button", class: "send" }, ["Close"]);
      ok.addEventListener("click", dismiss);
      body.replaceChildren(el("div", { class: "check", "aria-hidden": "true" }, ["\u2713"]), thanks,
        el("p", { class: "intro", role: "status" }, [message || "You are signed up."]));
      // The ask to give (a new tab).
      if (ask) body.append(el("p", { class: "intro" }, ["Can you chip in?"]), el("ul", {}, ask.map(function (a) {
        return el("li", {}, [el("a", { class: "send", href: a.url, target: "_blank" }, [a.label])]); })));
      body.append(ok);
      thanks.focus();
    }
  }

  function field(f, fields) {
    var id = "gs-f" + ++uid;
    var error = el("p", { class: "error", id: id + "-error", hidden: true });
    var name = [f.label, f.required ? el("span", { class: "req", "aria-hidden": "true" }, [" *"]) : null];
    var common = { id: id, name: f.name, required: f.required };
    var input, row;
    if (f.type === "multi") {
      input = row = el("fieldset", { class: "row" }, [el("legend", {}, name)].concat(
        (f.choices || []).map(function (choice, i) {
          return el("div", { class: "tick" }, [el("input", { type: "checkbox", id: id + i,
            name: f.name, value: choice }), el("label", { for: id + i }, [choice])]);
        }), [error]));
    } else if (f.type === "checkbox") {
      input = el("input", Object.assign({ type: "checkbox", value: "yes" }, common));
      row = el("div", { class: "row tick" }, [input, el("label", { for: id }, name), error]);
    } else {
      if (f.type === "choice") {
        input = el("select", common, [el("option", { value: "" }, ["Choose\u2026"])].concat(
          (f.choices || []).map(function (c) { return el("option", { value: c }, [c]); })));
      } else if (f.type === "long_text") {
        input = el("textarea", Object.assign({ rows: "3" }, common));
      } else {
        var typed = f.type === "email" || f.type === "tel";
        input = el("input", Object.assign({ type: typed ? f.type : "text", inputmode: typed ? f.type : null,
          autocomplete: f.autocomplete, spellcheck: f.type === "email" ? "false" : null }, common));
      }
      var half = f.name === "given_name" || f.name === "family_name";
      row = el("div", { class: half ? "row half" : "row" }, [el("label", { for: id }, name), input, error]);
    }
    fields[f.name] = { input: input, error: error };
    return row;
  }

  var CSS = `:host{all:initial}
*{box-sizing:border-box;margin:0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif}
.backdrop{position:fixed;inset:0;background:rgba(17,24,39,.55);animation:fade .2s}
.wrap{position:fixed;inset:0;display:flex;align-items:center;justify-content:center;padding:24px}
.dialog{position:relative;width:100%;max-width:440px;max-height:calc(100vh - 48px);overflow-y:auto;
background:#fff;color:#1f2937;border-radius:14px;box-shadow:0 24px 64px rgba(0,0,0,.3);
animation:rise .25s;font-size:16px;line-height:1.5}
.bar{height:6px;background:PRIMARY}.body{padding:28px 28px 24px}
h2{font-size:24px;line-height:1.25;font-weight:750;color:#111827;margin:0 36px 8px 0;outline:0}
.intro{color:#4b5563;margin-bottom:16px}
form{display:flex;flex-wrap:wrap;gap:12px}
.row{flex:1 1 100%;min-width:0;border:0;padding:0}.half{flex-basis:40%}
label,legend{display:block;font-size:14px;font-weight:600;color:#374151;margin-bottom:4px}.req{color:#b91c1c}
input,select,textarea{display:block;width:100%;font:inherit;font-size:16px;color:#111827;background:#fff;
border:1px solid #9ca3af;border-radius:8px;padding:10px 12px;min-height:46px}
:focus-visible{outline:3px solid PRIMARY;outline-offset:2px}
[aria-invalid=true]{border-color:#b91c1c;background:#fef2f2}
.tick{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-top:6px}
.tick input{width:22px;min-height:22px;height:22px;flex:none;accent-color:PRIMARY}
.tick label{flex:1;font-weight:500;margin:0}
.error{flex-basis:100%;color:#b91c1c;font-size:14px;margin-top:4px}.error[hidden],.hp{display:none}
.consent{flex-basis:100%;font-size:13px;color:#6b7280}
.live{flex-basis:100%;font-size:14px}.bad{color:#b91c1c;font-weight:600}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.send{flex-basis:100%;width:100%;min-height:50px;border:0;border-radius:8px;background:PRIMARY;
color:ON_PRIMARY;font-size:17px;font-weight:700;cursor:pointer;margin-top:4px}
.send:hover{filter:brightness(1.1)}.send:disabled{opacity:.7;cursor:progress}
.close{position:absolute;top:14px;right:12px;width:44px;height:44px;border:0;border-radius:50%;
background:none;color:#4b5563;font-size:28px;line-height:1;cursor:pointer}.close:hover{background:#f3f4f6}
.check{width:56px;height:56px;border-radius:50%;background:PRIMARY;color:ON_PRIMARY;font-size:30px;
display:flex;align-items:center;justify-content:center;margin-bottom:14px}
ul{list-style:none;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-bottom:16px}
a.send{display:block;padding:12px;text-align:center;text-decoration:none}
@media (max-width:500px){.wrap{align-items:flex-end;padding:0}
.dialog{max-width:none;max-height:92vh;border-radius:16px 16px 0 0;animation:sheet .25s}
.body{padding:22px 18px calc(18px + env(safe-area-inset-bottom))}.half{flex-basis:100%}h2{font-size:22px}}
@keyframes fade{from{opacity:0}}@keyframes rise{from{opacity:0;transform:translateY(12px)}}
@keyframes sheet{from{transform:translateY(100%)}}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}`;
})();
