/* The analytics page: totals, charts drawn as inline SVG (no chart library, no CDN) and the
   missed-question clusters with their draft KB entries. */
(function () {
  "use strict";
  var C = window.NsoConsole;
  var SVG = "http://www.w3.org/2000/svg";

  function svg(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, String(attrs[key]));
    });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  /** Vertical bars for a time series (labels every few bars). */
  function columns(container, items) {
    var width = 760, height = 200, pad = 28, max = Math.max(1, Math.max.apply(null, items.map(function (i) { return i.count; })));
    var step = (width - pad) / Math.max(1, items.length);
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + (height + 24), class: "svg-chart" });
    chart.appendChild(svg("line", { x1: pad, y1: height, x2: width, y2: height, class: "axis" }));
    chart.appendChild(svg("text", { x: pad - 4, y: 12, "text-anchor": "end", class: "tick" }, max));
    items.forEach(function (item, index) {
      var h = Math.round((item.count / max) * (height - 16));
      var bar = svg("rect", { x: pad + index * step + 1, y: height - h, width: Math.max(1, step - 2), height: h, class: "bar" });
      bar.appendChild(svg("title", {}, item.label + ": " + item.count));
      chart.appendChild(bar);
      var every = Math.ceil(items.length / 8);
      if (index % every === 0) {
        chart.appendChild(svg("text", { x: pad + index * step, y: height + 16, class: "tick" }, item.label.slice(5)));
      }
    });
    container.replaceChildren(chart);
  }

  /** Horizontal bars with labels and counts; series = [{name, cls}] for grouped bars. */
  function bars(container, rows, series) {
    series = series || [{ key: "count", cls: "bar" }];
    if (!rows.length) {
      container.replaceChildren();
      return;
    }
    var rowHeight = 18 * series.length + 10, width = 360, label = 110;
    var max = 1;
    rows.forEach(function (row) {
      series.forEach(function (s) {
        max = Math.max(max, row[s.key] || 0);
      });
    });
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + Math.max(rowHeight, rows.length * rowHeight), class: "svg-chart" });
    rows.forEach(function (row, index) {
      var y = index * rowHeight;
      chart.appendChild(svg("text", { x: 0, y: y + 14, class: "label" }, row.label));
      series.forEach(function (s, j) {
        var value = row[s.key] || 0;
        var w = Math.round((value / max) * (width - label - 40));
        var bar = svg("rect", { x: label, y: y + j * 18 + 2, width: Math.max(w, 1), height: 14, class: s.cls });
        bar.appendChild(svg("title", {}, row.label + (s.name ? " " + s.name : "") + ": " + value));
        chart.appendChild(bar);
        chart.appendChild(svg("text", { x: label + w + 4, y: y + j * 18 + 14, class: "value" }, value));
      });
    });
    container.replaceChildren(chart);
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : Math.round(value * 100) + " %";
  }

  function entries(map) {
    return Object.keys(map).map(function (key) {
      return { label: key, count: map[key] };
    });
  }

  function cluster(template, item) {
    var li = C.clone(template);
    C.fill(li, {
      size: item.size,
      representative: item.representative,
      languages: entries(item.languages).map(function (e) { return e.label + " " + e.count; }).join(", "),
      kinds: entries(item.kinds).map(function (e) { return e.label + " " + e.count; }).join(", "),
      nearest: item.nearest_topic ? item.nearest_topic + " (" + item.nearest_confidence.toFixed(2) + ")" : "–",
      draft: item.draft,
    });
    var list = li.querySelector('[data-slot="questions"]');
    item.questions.forEach(function (q) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/console/conversations/" + encodeURIComponent(q.conversation_id);
      link.textContent = q.text;
      entry.appendChild(link);
      entry.appendChild(document.createTextNode(" (" + q.lang + ", " + q.kind + ")"));
      list.appendChild(entry);
    });
    var box = li.querySelector("[data-draft-box]");
    var draftButton = li.querySelector("[data-draft]");
    draftButton.addEventListener("click", function () {
      box.hidden = !box.hidden;
      draftButton.setAttribute("aria-expanded", String(!box.hidden));
    });
    li.querySelector("[data-copy]").addEventListener("click", function () {
      var done = li.querySelector("[data-copied]");
      var copy = navigator.clipboard ? navigator.clipboard.writeText(item.draft) : Promise.reject(new Error("no clipboard"));
      copy
        .then(function () {
          done.hidden = false;
        })
        .catch(function () {
          var range = document.createRange();
          range.selectNodeContents(box.querySelector("code"));
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
        });
    });
    return li;
  }

  function render(data) {
    var root = document.querySelector("[data-analytics]");
    var stats = {
      conversations: data.conversations,
      user_messages: data.user_messages,
      handoffs: data.handoffs,
      handoff_rate: percent(data.handoff_rate),
      satisfaction: percent(data.feedback.satisfaction),
      up: data.feedback.up,
      down: data.feedback.down,
    };
    root.querySelectorAll("[data-stat]").forEach(function (node) {
      node.textContent = String(stats[node.getAttribute("data-stat")]);
    });
    columns(root.querySelector('[data-chart="per_day"]'), data.per_day);
    bars(root.querySelector('[data-chart="per_language"]'), data.per_language);
    bars(root.querySelector('[data-chart="per_channel"]'), data.per_channel);
    bars(root.querySelector('[data-chart="outcomes"]'), entries(data.outcomes));
    bars(
      root.querySelector('[data-chart="feedback"]'),
      Object.keys(data.feedback.by_language).map(function (lang) {
        var counts = data.feedback.by_language[lang];
        return { label: lang, up: counts.up || 0, down: counts.down || 0 };
      }),
      [
        { key: "up", name: "▲", cls: "bar bar--up" },
        { key: "down", name: "▼", cls: "bar bar--down" },
      ]
    );
    root.querySelector("[data-feedback-empty]").hidden = Object.keys(data.feedback.by_language).length > 0;
    var template = document.querySelector("template[data-cluster]");
    var list = root.querySelector("[data-clusters]");
    list.replaceChildren.apply(list, data.clusters.map(function (item) { return cluster(template, item); }));
    root.querySelector("[data-clusters-empty]").hidden = data.clusters.length > 0;
    root.hidden = false;
  }

  function load(days) {
    var status = document.querySelector("[data-status]");
    status.textContent = "Loading…";
    C.api("GET", "/console/api/analytics?days=" + encodeURIComponent(days))
      .then(function (data) {
        render(data);
        status.textContent = "Since " + new Date(data.since).toLocaleDateString();
      })
      .catch(function () {
        status.textContent = "";
        document.querySelector("[data-error]").hidden = false;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var period = document.querySelector("[data-period] select");
    period.addEventListener("change", function () {
      load(period.value);
    });
    load(period.value);
  });
})();
