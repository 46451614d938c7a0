/* Helpers shared by the console pages: API calls with the CSRF token, filling <template>
   clones (always textContent, never HTML), local times and Server-Sent Events. */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function api(method, url, body) {
    var headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (response.status === 401) window.location.assign("/console/login?next=" + encodeURIComponent(location.pathname));
          if (!response.ok) {
            var error = new Error("HTTP " + response.status);
            error.status = response.status;
            error.body = data;
            throw error;
          }
          return data;
        });
    });
  }

  /** Set the text of every [data-slot] in root from data (missing keys leave the slot alone). */
  function fill(root, data) {
    root.querySelectorAll("[data-slot]").forEach(function (node) {
      var key = node.getAttribute("data-slot");
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        var value = data[key];
        node.textContent = value === null || value === undefined ? "" : String(value);
      }
    });
    if (root.hasAttribute && root.hasAttribute("data-slot")) {
      var own = root.getAttribute("data-slot");
      if (Object.prototype.hasOwnProperty.call(data, own)) root.textContent = data[own] == null ? "" : String(data[own]);
    }
  }

  /** Show or hide the [data-show=name] elements of root. */
  function show(root, name, visible) {
    root.querySelectorAll('[data-show="' + name + '"]').forEach(function (node) {
      node.hidden = !visible;
    });
  }

  function clone(template) {
    return template.content.firstElementChild.cloneNode(true);
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + " h " + (minutes % 60) + " min";
    return Math.floor(hours / 24) + " d";
  }

  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach(function (node) {
      if (node.hasAttribute("data-since") || !node.getAttribute("datetime")) return;
      var when = new Date(node.getAttribute("datetime"));
      if (!isNaN(when)) {
        node.textContent = when.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
        node.title = when.toISOString();
      }
    });
  }

  /** Follow an event stream; onUpdate gets each "update" event's JSON. */
  function stream(url, onUpdate) {
    var live = document.querySelector("[data-live]");
    function mark(on) {
      if (!live) return;
      live.querySelector("[data-live-on]").hidden = !on;
      live.querySelector("[data-live-off]").hidden = on;
    }
    var source = new EventSource(url, { withCredentials: true });
    source.addEventListener("open", function () {
      mark(true);
    });
    source.addEventListener("error", function () {
      mark(false);
    });
    source.addEventListener("update", function (event) {
      mark(true);
      onUpdate(JSON.parse(event.data));
    });
    source.addEventListener("logout", function () {
      source.close();
      window.location.assign("/console/login");
    });
    return source;
  }

  function reveal(root, selector, visible) {
    root.querySelectorAll(selector).forEach(function (node) {
      node.hidden = !visible;
    });
  }

  window.NsoConsole = {
    api: api,
    fill: fill,
    show: show,
    clone: clone,
    duration: duration,
    localTimes: localTimes,
    stream: stream,
    reveal: reveal,
  };

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
  });
})();
