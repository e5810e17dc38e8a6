// The segment query builder: a tree of groups (all of / any of / not all of / none of) and
// conditions drawn from the catalog the page carries (#segment-catalog, JSON), kept in step
// with the form's definition field, and a live count and sample fetched from the server a
// moment after each change. No inline script: the staff pages' CSP forbids it.
(function () {
  "use strict";
  var DEBOUNCE_MS = 400;
  var MODES = [
    ["and", false, "All of these"],
    ["or", false, "Any of these"],
    ["and", true, "Not all of these"],
    ["or", true, "None of these"],
  ];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function Builder(root, field, form, catalog) {
    this.root = root;
    this.field = field;
    this.form = form;
    this.kinds = {};
    this.catalog = catalog;
    this.serial = 0;
    var self = this;
    catalog.forEach(function (group) {
      group.kinds.forEach(function (kind) { self.kinds[kind.kind] = kind; });
    });
    var tree;
    try { tree = JSON.parse(field.value || "{}"); } catch (e) { tree = {}; }
    if (!tree || !tree.op) tree = { op: "and", negate: false, items: [] };
    this.tree = tree;
    this.timer = null;
    this.controller = null;
  }

  Builder.prototype.id = function (prefix) {
    this.serial += 1;
    return "seg-" + prefix + "-" + this.serial;
  };

  Builder.prototype.render = function () {
    this.root.textContent = "";
    this.root.appendChild(this.groupNode(this.tree, null, 1));
    this.root.setAttribute("data-ready", "true");
    this.sync();
  };

  Builder.prototype.changed = function (rerender) {
    if (rerender) this.render();
    else this.sync();
  };

  Builder.prototype.sync = function () {
    this.field.value = JSON.stringify(this.tree);
    this.schedulePreview();
  };

  Builder.prototype.groupNode = function (group, parent, depth) {
    var self = this;
    var box = el("fieldset", { class: "seg-group", "data-depth": String(depth) });
    var modeId = this.id("mode");
    var mode = el("select", { id: modeId, "aria-label": "How the conditions combine" });
    MODES.forEach(function (m, index) {
      var option = el("option", { value: String(index), text: m[2] });
      if (m[0] === group.op && m[1] === !!group.negate) option.selected = true;
      mode.appendChild(option);
    });
    mode.addEventListener("change", function () {
      var m = MODES[Number(mode.value)];
      group.op = m[0];
      group.negate = m[1];
      self.changed(false);
    });
    var head = el("div", { class: "seg-group-head" }, [el("legend", { class: "visually-hidden", text: "Group" }), mode]);
    if (parent) {
      var remove = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: "Remove group" });
      remove.addEventListener("click", function () {
        parent.items.splice(parent.items.indexOf(group), 1);
        self.changed(true);
      });
      head.appendChild(remove);
    }
    box.appendChild(head);
    var list = el("div", { class: "seg-items" });
    group.items = Array.isArray(group.items) ? group.items : [];
    group.items.forEach(function (item) {
      list.appendChild(item && item.op ? self.groupNode(item, group, depth + 1) : self.conditionNode(item, group));
    });
    if (!group.items.length) list.appendChild(el("p", { class: "muted small", text: parent ? "An empty group matches everyone." : "No conditions: everyone matches." }));
    box.appendChild(list);
    var add = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: "+ Condition", "data-add": "condition" });
    add.addEventListener("click", function () {
      group.items.push({ kind: "" });
      self.changed(true);
      var selects = box.querySelectorAll(":scope > .seg-items > .seg-condition select.seg-kind");
      if (selects.length) selects[selects.length - 1].focus();
    });
    var foot = el("div", { class: "actions seg-group-foot" }, [add]);
    if (depth < 4) {
      var addGroup = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: "+ Group", "data-add": "group" });
      addGroup.addEventListener("click", function () {
        group.items.push({ op: "or", negate: false, items: [{ kind: "" }] });
        self.changed(true);
      });
      foot.appendChild(addGroup);
    }
    box.appendChild(foot);
    return box;
  };

  Builder.prototype.kindSelect = function (item) {
    var select = el("select", { class: "seg-kind", "aria-label": "Condition" });
    select.appendChild(el("option", { value: "", text: "Choose a condition…" }));
    this.catalog.forEach(function (group) {
      var optgroup = el("optgroup", { label: group.group });
      group.kinds.forEach(function (kind) {
        var option = el("option", { value: kind.kind, text: kind.label });
        if (kind.kind === item.kind) option.selected = true;
        optgroup.appendChild(option);
      });
      select.appendChild(optgroup);
    });
    return select;
  };

  Builder.prototype.conditionNode = function (item, parent) {
    var self = this;
    var row = el("div", { class: "seg-condition" });
    var select = this.kindSelect(item);
    select.addEventListener("change", function () {
      Object.keys(item).forEach(function (key) { delete item[key]; });
      item.kind = select.value;
      self.changed(true);
    });
    row.appendChild(select);
    var kind = this.kinds[item.kind];
    if (kind) {
      kind.params.forEach(function (param) { row.appendChild(self.paramNode(item, param, kind.label)); });
    } else if (item.kind) {
      row.appendChild(el("span", { class: "muted small", text: "This condition is not available to your role." }));
    }
    var remove = el("button", { type: "button", class: "btn btn-secondary btn-sm seg-remove", text: "Remove", "aria-label": "Remove this condition" });
    remove.addEventListener("click", function () {
      parent.items.splice(parent.items.indexOf(item), 1);
      self.changed(true);
    });
    row.appendChild(remove);
    return row;
  };

  Builder.prototype.paramNode = function (item, param, kindLabel) {
    var self = this;
    var id = this.id(param.name);
    var value = item[param.name];
    var input;
    if (param.widget === "select" || param.widget === "multiselect") {
      input = el("select", { id: id });
      if (param.widget === "multiselect") {
        input.multiple = true;
        input.size = Math.min(5, Math.max(2, param.choices.length));
      } else {
        input.appendChild(el("option", { value: "", text: "—" }));
      }
      var chosen = Array.isArray(value) ? value : [value];
      param.choices.forEach(function (choice) {
        var option = el("option", { value: choice[0], text: choice[1] });
        if (chosen.indexOf(choice[0]) >= 0) option.selected = true;
        input.appendChild(option);
      });
      if (param.widget === "select" && value === undefined && param.choices.length && param.label === "") {
        input.value = param.choices[0][0];
        item[param.name] = input.value;
      }
    } else {
      var type = { number: "number", date: "date" }[param.widget] || "text";
      input = el("input", { id: id, type: type });
      if (type === "number") input.setAttribute("min", "0");
      if (param.widget === "states") input.setAttribute("placeholder", "PA, OH, MI");
      else if (param.help) input.setAttribute("placeholder", param.help);
      input.value = Array.isArray(value) ? value.join(", ") : (value === undefined || value === null ? "" : String(value));
    }
    // A part with no label of its own ("did / did not") is named after its condition for
    // screen readers; sighted people read it in the row's sentence.
    if (!param.label) input.setAttribute("aria-label", kindLabel + ": " + param.name.replace(/_/g, " "));
    var read = function () {
      var v;
      if (input.multiple) {
        v = Array.prototype.filter.call(input.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else if (param.widget === "states") {
        v = input.value.split(/[\s,]+/).filter(Boolean);
      } else if (param.widget === "number") {
        v = input.value === "" ? null : Number(input.value);
      } else {
        v = input.value;
      }
      if (v === null || v === "" || (Array.isArray(v) && !v.length)) delete item[param.name];
      else item[param.name] = v;
      self.changed(false);
    };
    input.addEventListener("input", read);
    input.addEventListener("change", read);
    var label = el("label", { for: id, class: "seg-param" + (param.label ? "" : " seg-param-bare") }, [
      param.label ? el("span", { text: param.label }) : null,
      input,
    ]);
    return label;
  };

  Builder.prototype.schedulePreview = function () {
    var self = this;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.preview(); }, DEBOUNCE_MS);
  };

  Builder.prototype.preview = function () {
    var target = document.getElementById("segment-preview");
    var url = this.form.getAttribute("data-preview-url");
    if (!target || !url) return;
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    var body = new FormData();
    body.append("definition", this.field.value);
    var token = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    target.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token ? token.value : "", "HX-Request": "true" },
      credentials: "same-origin",
      signal: this.controller.signal,
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#segment-preview");
      var current = document.getElementById("segment-preview");
      if (fresh && current) current.replaceWith(fresh);
    }).catch(function (error) {
      if (error && error.name === "AbortError") return;
      var current = document.getElementById("segment-preview");
      if (current) current.textContent = "The count could not be loaded; check your connection.";
    }).finally(function () {
      var current = document.getElementById("segment-preview");
      if (current) current.removeAttribute("aria-busy");
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("segment-builder");
    var field = document.getElementById("segment-definition");
    var form = document.getElementById("segment-form");
    var data = document.getElementById("segment-catalog");
    if (!root || !field || !form || !data) return;
    var builder = new Builder(root, field, form, JSON.parse(data.textContent));
    // The JSON stays in the form (what is saved) but the controls replace it on screen.
    field.closest(".segment-json").hidden = true;
    builder.render();
    window.segmentBuilder = builder;
  });
})();
