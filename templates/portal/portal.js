/* The portal's only script: large text, print, the matter search, progress lookup and rating.
   No framework; every page reads without it except the two forms. Texts come from #portal-text. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "portal-large-text";
  function stored() { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  if (stored()) { root.classList.add("large"); }

  var T = {};
  try { T = JSON.parse(document.getElementById("portal-text").textContent); } catch (e) { T = {}; }
  var codes = T.codes || {};
  function named(kind, code) { return ((codes[kind] || {})[code]) || code || ""; }
  var meta = document.querySelector('meta[name="portal-api"]');
  var API = meta ? meta.getAttribute("content") : "/api/v1/public";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function show(node, on) { if (node) { node.hidden = !on; } }
  function say(box, text, kind) {
    clear(box); box.className = "message" + (kind ? " message-" + kind : "");
    box.textContent = text; show(box, !!text);
  }

  /* 大字版 */
  var toggle = document.getElementById("large-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
    toggle.addEventListener("click", function () {
      var on = root.classList.toggle("large");
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
    });
  }

  /* print a guide */
  var printButton = document.getElementById("print");
  if (printButton) { printButton.hidden = false; printButton.addEventListener("click", function () { window.print(); }); }

  /* the matter search (home page): over the embedded index; the full list is there without it */
  var indexNode = document.getElementById("matters-index");
  if (indexNode) {
    var index = JSON.parse(indexNode.textContent);
    var form = document.getElementById("search"), q = document.getElementById("q"), type = document.getElementById("type");
    var items = {}, list = document.getElementById("matter-list");
    Array.prototype.forEach.call(list.children, function (li) { items[li.getAttribute("data-code")] = li; });
    var count = document.getElementById("match-count"), none = document.getElementById("no-match");
    var countTemplate = count.textContent.replace(/\d+/, "{n}");
    var fold = function (s) { return (s || "").toLowerCase().replace(/\s+/g, ""); };
    var filter = function () {
      var words = (q.value || "").toLowerCase().split(/\s+/).filter(Boolean), wanted = type.value, shown = 0;
      index.forEach(function (m) {
        var hay = fold(m.code + m.name + m.line);
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; }) && (!wanted || m.types.indexOf(wanted) >= 0);
        if (items[m.code]) { items[m.code].hidden = !ok; }
        if (ok) { shown += 1; }
      });
      count.textContent = countTemplate.replace("{n}", shown);
      none.hidden = shown > 0;
    };
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); filter(); });
    q.addEventListener("input", filter);
    type.addEventListener("change", filter);
    Array.prototype.forEach.call(document.querySelectorAll(".type-link"), function (a) {
      a.addEventListener("click", function () { type.value = a.getAttribute("data-type"); filter(); });
    });
    var initial = new URLSearchParams(location.search);
    if (initial.get("q")) { q.value = initial.get("q"); }
    if (initial.get("type")) { type.value = initial.get("type"); }
    if (initial.get("q") || initial.get("type")) { filter(); }
  }

  function getJSON(url, options) {
    return fetch(url, Object.assign({ headers: { "Accept": "application/json" } }, options || {}))
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; }); });
  }
  function failure(status) {
    if (status === 429) { return T.too_many; }
    return T.failed;
  }
  function row(label, value) {
    if (value === null || value === undefined || value === "") { return null; }
    return el("div", {}, [el("dt", { text: label }), el("dd", { text: String(value) })]);
  }
  function place(title, p) {
    if (!p) { return null; }
    return el("div", { "class": "place" }, [
      el("p", { "class": "place-name", text: p.name || "" }),
      p.address ? el("p", { text: T.address + "：" + p.address }) : null,
      p.hours ? el("p", { text: T.hours + "：" + p.hours }) : null,
      p.phone ? el("p", {}, [T.phone + "：", el("a", { href: "tel:" + p.phone, text: p.phone })]) : null
    ]);
  }

  /* progress */
  function renderProgress(box, p) {
    clear(box);
    box.appendChild(el("h2", { text: (p.matter && p.matter.name) || T.matter }));
    box.appendChild(el("p", { "class": "stage" }, [
      el("span", { "class": "stage-label", text: T.stage }), el("strong", { text: p.stage || "" }),
      el("span", { "class": "stage-due", text: p.stage_due ? T.due + " " + p.stage_due : T.no_due })
    ]));
    box.appendChild(el("dl", { "class": "rows compact" }, [
      row(T.number, p.number), row(T.handling_type, p.handling_type), row(T.accepted_on, p.accepted_on),
      row(T.accepted_at, p.origin_window && p.origin_window.name), row(T.department, p.department_name),
      row(T.delivery, named("delivery", p.delivery_method))
    ]));
    if (p.correction && p.correction.items && p.correction.items.length) {
      var c = el("section", { "class": "callout", "aria-labelledby": "p-correction" }, [el("h3", { id: "p-correction", text: T.correction })]);
      c.appendChild(el("ul", {}, p.correction.items.map(function (i) { return el("li", {}, [el("strong", { text: i.name }), i.reason ? "：" + i.reason : ""]); })));
      if (p.correction.hand_to) { c.appendChild(el("p", { text: T.correction_intro })); c.appendChild(place("", p.correction.hand_to)); }
      box.appendChild(c);
    }
    if (p.pickup) {
      box.appendChild(el("section", { "class": "callout callout-ok" }, [el("h3", { text: T.pickup }), place("", p.pickup)]));
    }
    if (p.rating && p.rating.open && p.token) {
      box.appendChild(el("section", { "class": "callout callout-ok" }, [
        el("h3", { text: T.rate }), el("p", { text: T.rate_intro }),
        el("a", { "class": "button", href: "rate.html?t=" + encodeURIComponent(p.token), text: T.rate })
      ]));
    }
    if (p.milestones && p.milestones.length) {
      box.appendChild(el("h3", { text: T.timeline }));
      box.appendChild(el("ol", { "class": "timeline" }, p.milestones.map(function (m) {
        return el("li", {}, [el("time", { text: (m.at || "").replace("T", " ").slice(0, 16) }), el("strong", { text: m.title || "" }), m.detail ? el("p", { text: m.detail }) : null]);
      })));
    }
    if (p.waybills && p.waybills.length) {
      box.appendChild(el("h3", { text: T.waybills }));
      box.appendChild(el("ul", { "class": "waybills" }, p.waybills.map(function (w) {
        return el("li", {}, [named("direction", w.direction) + " · " + (w.carrier || "") + " · " + T.waybill + " ", el("strong", { text: w.waybill_number || "" })]);
      })));
    }
    show(box, true);
  }
  var progressForm = document.getElementById("progress-form");
  if (progressForm) {
    var pMessage = document.getElementById("progress-message"), pResult = document.getElementById("progress-result");
    var answer = function (res, notFoundText) {
      if (res.status === 200 && res.body.result) { say(pMessage, ""); renderProgress(pResult, res.body.result); return; }
      show(pResult, false);
      say(pMessage, res.status === 404 ? notFoundText : failure(res.status), "error");
    };
    var token = new URLSearchParams(location.search).get("t");
    if (token) {
      say(pMessage, T.loading);
      getJSON(API + "/progress/" + encodeURIComponent(token)).then(function (r) { answer(r, T.bad_link); }, function () { say(pMessage, T.failed, "error"); });
    }
    progressForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var number = progressForm.number.value.trim(), phone = progressForm.phone.value.trim();
      if (!number || !phone) { (number ? progressForm.phone : progressForm.number).focus(); return; }
      say(pMessage, T.loading); show(pResult, false);
      getJSON(API + "/progress?number=" + encodeURIComponent(number) + "&phone=" + encodeURIComponent(phone))
        .then(function (r) { answer(r, T.not_found); }, function () { say(pMessage, T.failed, "error"); });
    });
  }

  /* rating */
  var rateForm = document.getElementById("rate-form");
  if (rateForm) {
    var rMessage = document.getElementById("rate-message"), rResult = document.getElementById("rate-result");
    var rToken = new URLSearchParams(location.search).get("t");
    var labels = {};
    var given = function (rating, title) {
      show(rateForm, false); clear(rResult);
      rResult.appendChild(el("h2", { text: title }));
      rResult.appendChild(el("dl", { "class": "rows compact" }, [
        row(T.your_rating, rating.label || labels[rating.level] || rating.level),
        row(T.tags, (rating.tags || []).map(function (t) { return labels["tag:" + t] || t; }).join("、")),
        row(T.comment, rating.comment)
      ]));
      show(rResult, true);
    };
    if (!rToken) {
      say(rMessage, T.no_rating_link, "error");
    } else {
      say(rMessage, T.loading);
      Promise.all([getJSON(API + "/ratings/options"), getJSON(API + "/ratings/" + encodeURIComponent(rToken))]).then(function (rs) {
        var options = rs[0], state = rs[1];
        if (state.status === 404) { say(rMessage, T.bad_link, "error"); return; }
        if (options.status !== 200 || state.status !== 200) { say(rMessage, failure(options.status === 200 ? state.status : options.status), "error"); return; }
        var o = options.body.result, s = state.body.result;
        o.levels.forEach(function (l) { labels[l.value] = l.label; });
        o.tags.forEach(function (t) { labels["tag:" + t.code] = t.label; });
        if (s.given && s.rating) { say(rMessage, ""); given(s.rating, T.rated_already); return; }
        if (!s.open) { say(rMessage, T.not_open, "info"); return; }
        say(rMessage, "");
        var levels = document.getElementById("levels");
        o.levels.slice().sort(function (a, b) { return b.value - a.value; }).forEach(function (l) {
          var id = "level-" + l.value;
          levels.appendChild(el("div", { "class": "level level-" + l.value }, [
            el("input", { type: "radio", name: "level", id: id, value: String(l.value), required: "required" }),
            el("label", { "for": id, text: l.label })
          ]));
        });
        var tags = document.getElementById("tags");
        o.tags.forEach(function (t) {
          var id = "tag-" + t.code;
          tags.appendChild(el("div", { "class": "tag-choice tag-" + t.kind }, [
            el("input", { type: "checkbox", name: "tags", id: id, value: t.code }), el("label", { "for": id, text: t.label })
          ]));
        });
        show(document.getElementById("tags-fieldset"), o.tags.length > 0);
        show(rateForm, true);
      }, function () { say(rMessage, T.failed, "error"); });
    }
    rateForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var level = rateForm.querySelector('input[name="level"]:checked');
      if (!level) { say(rMessage, T.choose_level, "error"); rateForm.querySelector('input[name="level"]').focus(); return; }
      var chosen = Array.prototype.map.call(rateForm.querySelectorAll('input[name="tags"]:checked'), function (i) { return i.value; });
      var button = rateForm.querySelector('button[type="submit"]');
      button.disabled = true; say(rMessage, T.sending);
      getJSON(API + "/ratings", {
        method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ token: rToken, level: Number(level.value), tags: chosen, comment: rateForm.comment.value.trim() })
      }).then(function (r) {
        button.disabled = false;
        if (r.status === 201) { say(rMessage, ""); given(r.body.result.rating || r.body.result, T.thanks); return; }
        if (r.status === 409) { say(rMessage, T.rated_already, "info"); show(rateForm, false); return; }
        if (r.status === 422 && r.body.errors) { say(rMessage, r.body.errors.map(function (x) { return x.message; }).join(" "), "error"); return; }
        say(rMessage, r.status === 404 ? T.bad_link : failure(r.status), "error");
      }, function () { button.disabled = false; say(rMessage, T.failed, "error"); });
    });
  }
})();
