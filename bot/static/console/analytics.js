/* The analytics page: totals, charts drawn as inline SVG (no chart library, no CDN), each with
   its numbers as a table, the helpdesk's figures per agent and per week, and the
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

  /** A day (YYYY-MM-DD) as the agent's language writes it short, e.g. 5/11, 5. 11. */
  function shortDay(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString(C.lang, { timeZone: "UTC", day: "numeric", month: "numeric" });
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
        chart.appendChild(svg("text", { x: pad + index * step, y: height + 16, class: "tick" }, shortDay(item.label)));
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
    return value === null || value === undefined ? "–" : new Intl.NumberFormat(C.lang, { style: "percent" }).format(value);
  }

  function number(value) {
    return new Intl.NumberFormat(C.lang).format(value);
  }

  /** Fill a table section (its body by default): one row per item, a row header, then the numbers. */
  function table(node, rows, section) {
    var body = section || node.tBodies[0];
    body.replaceChildren.apply(
      body,
      rows.map(function (cells) {
        var tr = document.createElement("tr");
        cells.forEach(function (value, index) {
          var cell = document.createElement(index === 0 ? "th" : "td");
          if (index === 0) cell.setAttribute("scope", "row");
          cell.textContent = typeof value === "number" ? number(value) : String(value);
          tr.appendChild(cell);
        });
        return tr;
      })
    );
  }

  function day(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString(C.lang, { timeZone: "UTC", dateStyle: "medium" });
  }

  function time(seconds) {
    return seconds === null || seconds === undefined ? "–" : C.duration(seconds);
  }

  function helpdeskRow(first, f) {
    return [
      first,
      f.handoffs,
      f.answered,
      time(f.first_response_median),
      f.closed,
      time(f.time_to_close_median),
      f.ratings,
      f.satisfaction === null ? "–" : percent(f.satisfaction) + " (" + number(f.satisfied) + ")",
    ];
  }

  /** The teachers' comments with their rating, as text (never HTML), each linked to its chat. */
  function ratingComments(root, comments) {
    var node = root.querySelector("[data-rating-comments]");
    var body = node.tBodies[0];
    body.replaceChildren.apply(
      body,
      comments.map(function (c) {
        var tr = document.createElement("tr");
        var when = document.createElement("th");
        when.setAttribute("scope", "row");
        when.textContent = new Date(c.created_at).toLocaleString(C.lang, { dateStyle: "medium", timeStyle: "short" });
        tr.appendChild(when);
        [c.agent || "–", C.label("rating", c.rating), c.comment].forEach(function (value) {
          var cell = document.createElement("td");
          cell.textContent = value;
          tr.appendChild(cell);
        });
        var link = document.createElement("a");
        link.href = "/console/conversations/" + encodeURIComponent(c.conversation_id);
        link.textContent = c.conversation_id;
        tr.appendChild(document.createElement("td")).appendChild(link);
        return tr;
      })
    );
    node.hidden = comments.length === 0;
    root.querySelector("[data-rating-comments-empty]").hidden = comments.length > 0;
  }

  function helpdesk(data) {
    var root = document.querySelector("[data-analytics]");
    var agents = root.querySelector('[data-helpdesk="per_agent"]');
    table(
      agents,
      data.per_agent.map(function (f) {
        return helpdeskRow(f.label, f);
      })
    );
    table(agents, data.per_agent.length ? [helpdeskRow(C.t("all_agents"), data.total)] : [], agents.tFoot);
    table(
      root.querySelector('[data-helpdesk="per_week"]'),
      data.per_week.map(function (f) {
        return helpdeskRow(C.t("week_of", { week: f.label, date: day(f.week_start) }), f);
      })
    );
    root.querySelector("[data-helpdesk-empty]").hidden = data.total.handoffs > 0;
    ratingComments(root, data.comments || []);
    root.querySelector("[data-helpdesk-csv]").setAttribute("href", "/console/analytics/helpdesk.csv?days=" + data.days);
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
      kinds: entries(item.kinds).map(function (e) { return C.label("question", e.label) + " " + e.count; }).join(", "),
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
      entry.appendChild(document.createTextNode(" " + C.t("question_in", { lang: q.lang, kind: C.label("question", q.kind) })));
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
    var channels = data.per_channel.map(function (c) {
      return { label: C.label("channel", c.label), count: c.count };
    });
    var outcomes = entries(data.outcomes).map(function (e) {
      return { label: C.label("question", e.label), count: e.count };
    });
    var feedback = Object.keys(data.feedback.by_language).map(function (lang) {
      var counts = data.feedback.by_language[lang];
      return { label: lang, up: counts.up || 0, down: counts.down || 0 };
    });
    columns(root.querySelector('[data-chart="per_day"]'), data.per_day);
    bars(root.querySelector('[data-chart="per_language"]'), data.per_language);
    bars(root.querySelector('[data-chart="per_channel"]'), channels);
    bars(root.querySelector('[data-chart="outcomes"]'), outcomes);
    bars(root.querySelector('[data-chart="feedback"]'), feedback, [
      { key: "up", name: "▲", cls: "bar bar--up" },
      { key: "down", name: "▼", cls: "bar bar--down" },
    ]);
    function counts(rows) {
      return rows.map(function (row) {
        return [row.label, row.count];
      });
    }
    table(
      root.querySelector('[data-table="per_day"]'),
      data.per_day.map(function (row) {
        return [day(row.label), row.count];
      })
    );
    table(root.querySelector('[data-table="per_language"]'), counts(data.per_language));
    table(root.querySelector('[data-table="per_channel"]'), counts(channels));
    table(root.querySelector('[data-table="outcomes"]'), counts(outcomes));
    table(
      root.querySelector('[data-table="feedback"]'),
      feedback.map(function (row) {
        return [row.label, row.up, row.down];
      })
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
    status.textContent = C.t("loading");
    var query = "?days=" + encodeURIComponent(days);
    Promise.all([C.api("GET", "/console/api/analytics" + query), C.api("GET", "/console/api/analytics/helpdesk" + query)])
      .then(function (results) {
        render(results[0]);
        helpdesk(results[1]);
        status.textContent = C.t("since", { date: new Date(results[0].since).toLocaleDateString(C.lang) });
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
