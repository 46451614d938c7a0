/* Helpers shared by the console pages: API calls with the CSRF token, filling <template>
   clones (always textContent, never HTML), texts in the agent's language, local times,
   Server-Sent Events, and the alerts every page gives: the queue's count in the tab title and
   the navigation badge, a sound and a desktop notification for a new handoff or a new message
   in one of the agent's conversations.

   One tab per browser follows the queue's event stream (a Web Lock elects it) and passes every
   update to the other console tabs on a BroadcastChannel: browsers allow only six connections
   per server over HTTP/1.1, and an agent may keep many tabs open. Each tab keeps its own count;
   only the tab the agent used last rings and notifies, so several tabs do not ring at once. */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var lang = document.documentElement.lang || "en";
  var stringsNode = document.getElementById("console-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent || "{}") : {};
  var pluralRules = new Intl.PluralRules(lang);

  function format(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return vars && Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : whole;
    });
  }

  /** The page's text for key, with {name} placeholders filled from vars. */
  function t(key, vars) {
    var text = strings[key];
    return format(typeof text === "string" ? text : key, vars);
  }

  /** The plural form of key for n ({n} is filled in) in the page's language. */
  function plural(key, n, vars) {
    var forms = strings[key] || {};
    var text = forms[pluralRules.select(n)] || forms.other || key;
    return format(text, Object.assign({ n: n }, vars || {}));
  }

  /** What the console shows for a stored value (a status, a role, a kind), as the server does. */
  function label(group, value) {
    var table = (strings.labels || {})[group] || {};
    if (value === null || value === undefined) return "";
    return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : String(value);
  }

  function api(method, url, body) {
    var headers = { Accept: "application/json, application/problem+json" };  // errors are problem details
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
    if (seconds < 60) return t("duration_seconds", { n: seconds });
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return t("duration_minutes", { n: minutes });
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return t("duration_hours", { h: hours, m: minutes % 60 });
    return t("duration_days", { n: Math.floor(hours / 24) });
  }

  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach(function (node) {
      if (node.hasAttribute("data-since") || !node.getAttribute("datetime")) return;
      var when = new Date(node.getAttribute("datetime"));
      if (!isNaN(when)) {
        node.textContent = when.toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
        node.title = when.toISOString();
      }
    });
  }

  /** Show whether the page's [data-live=name] indicator's stream is connected. */
  function markLive(name, on) {
    var indicator = name ? document.querySelector('[data-live="' + name + '"]') : null;
    if (!indicator) return;
    indicator.querySelector("[data-live-on]").hidden = !on;
    indicator.querySelector("[data-live-off]").hidden = on;
  }

  /** Follow an event stream; onUpdate gets each "update" event's JSON. live names the page's
      [data-live] indicator, or is a function told whether the stream is connected. */
  function stream(url, onUpdate, live) {
    var mark =
      typeof live === "function"
        ? live
        : function (on) {
            markLive(live, on);
          };
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

  // --- alerts: the queue stream, followed on every page ------------------------------------------

  var queueListeners = [];

  /** Call fn with every queue update ({now, items}); the queue page draws its table from it. */
  function onQueue(fn) {
    queueListeners.push(fn);
  }

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled: alerts still work, without memory
    }
  }

  var SOUND_KEY = "nso-console-sound"; // "off" when muted (localStorage)
  var SEEN_KEY = "nso-console-seen"; // what this tab has already alerted to (sessionStorage)
  var ACTIVE_KEY = "nso-console-active-tab"; // the tab the agent used last rings (localStorage)
  var QUEUE_CHANNEL = "nso-console-queue";
  var tabId = String(Date.now()) + "-" + String(Math.random()).slice(2);
  var audio = null;

  /** Follow the queue's stream in one tab and share it with the others (see the top). */
  function followQueue(onData) {
    var channel = "BroadcastChannel" in window ? new BroadcastChannel(QUEUE_CHANNEL) : null;
    var last = null;
    function lead() {
      stream(
        "/console/api/queue/events",
        function (data) {
          last = data;
          onData(data);
          if (channel) channel.postMessage({ type: "update", data: data });
        },
        function (on) {
          markLive("queue", on);
          if (channel) channel.postMessage({ type: "live", on: on });
        }
      );
    }
    if (!channel || !(navigator.locks && navigator.locks.request)) {
      lead();
      return;
    }
    channel.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "update") {
        markLive("queue", true);
        onData(message.data);
      } else if (message.type === "live") {
        markLive("queue", message.on);
      } else if (message.type === "hello" && last) {
        channel.postMessage({ type: "update", data: last });
      }
    };
    navigator.locks.request(QUEUE_CHANNEL, function () {
      lead();
      return new Promise(function () {}); // held while this page lives
    });
    channel.postMessage({ type: "hello" }); // the leading tab answers with the queue as it is
  }

  function soundOn() {
    var store = storage("localStorage");
    return !store || store.getItem(SOUND_KEY) !== "off";
  }

  /** A short chime made with the Web Audio API (no sound file): two notes for a new handoff,
      one for a new message. Browsers only play it after the agent has used the page once. */
  function chime(notes) {
    if (!soundOn()) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      var start = audio.currentTime + 0.02;
      notes.forEach(function (frequency, index) {
        var at = start + index * 0.18;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.setValueAtTime(frequency, at);
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.17);
      });
    } catch (error) {
      // no audio device or blocked by the browser: the title, badge and notification remain
    }
  }

  function notify(title, body, tag, href) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var note = new Notification(title, { body: body, tag: tag, lang: lang });
      note.onclick = function () {
        window.focus();
        if (href) window.location.assign(href);
        note.close();
      };
    } catch (error) {
      // some browsers only allow notifications from a service worker: the rest still alerts
    }
  }

  function alerts(header) {
    var me = Number(header.getAttribute("data-agent-id"));
    var badge = header.querySelector("[data-queue-badge]");
    var announcer = document.querySelector("[data-announce]");
    var baseTitle = document.title;
    var openConversation = document.querySelector("[data-conversation][data-agent-id]");
    var store = storage("localStorage");
    var memory = storage("sessionStorage");

    function used() {
      if (store) store.setItem(ACTIVE_KEY, tabId);
    }
    function active() {
      var last = store ? store.getItem(ACTIVE_KEY) : null;
      return !last || last === tabId; // nobody recorded (or that tab closed): every tab alerts
    }
    window.addEventListener("focus", used);
    document.addEventListener("pointerdown", used);
    document.addEventListener("keydown", used);
    window.addEventListener("pagehide", function () {
      if (store && store.getItem(ACTIVE_KEY) === tabId) store.removeItem(ACTIVE_KEY);
    });
    if (document.hasFocus()) used();

    var soundToggle = header.querySelector("[data-sound-toggle]");
    soundToggle.checked = soundOn();
    soundToggle.addEventListener("change", function () {
      if (store) store.setItem(SOUND_KEY, soundToggle.checked ? "on" : "off");
      if (soundToggle.checked) chime([660]);
    });

    var ask = header.querySelector("[data-notify-ask]");
    var blocked = header.querySelector("[data-notify-blocked]");
    function permission() {
      var state = "Notification" in window ? Notification.permission : "unsupported";
      ask.hidden = state !== "default";
      blocked.hidden = state !== "denied";
    }
    ask.addEventListener("click", function () {
      var asked = Notification.requestPermission(permission);
      if (asked && asked.then) asked.then(permission);
    });
    permission();

    // The browser allows sound only after a gesture: prepare the audio on the agent's first one.
    function unlock() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) audio = new Context();
      if (audio && audio.state === "suspended") audio.resume();
    }
    document.addEventListener("pointerdown", unlock, { once: true });
    document.addEventListener("keydown", unlock, { once: true });

    function remembered() {
      try {
        return memory ? JSON.parse(memory.getItem(SEEN_KEY) || "null") : null;
      } catch (error) {
        return null;
      }
    }

    var seen = remembered(); // null: a new tab takes what is there without alerting

    function update(data) {
      var waiting = data.items.filter(function (item) {
        return item.status === "waiting";
      });
      var mine = data.items.filter(function (item) {
        return item.status === "taken" && item.taken_by_id === me;
      });
      var count = waiting.length + mine.reduce(function (sum, item) {
        return sum + item.new_messages;
      }, 0);
      document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
      badge.hidden = count === 0;
      badge.querySelector('[data-slot="count"]').textContent = String(count);
      badge.querySelector('[data-slot="label"]').textContent = " (" + plural("queue_badge", count) + ")";

      var before = seen;
      var now = { handoffs: {}, messages: {} };
      waiting.forEach(function (item) {
        now.handoffs[item.handoff_id] = true;
      });
      mine.forEach(function (item) {
        now.messages[item.conversation_id] = item.new_messages;
      });
      if (before && active()) {
        var fresh = waiting.filter(function (item) {
          return !before.handoffs[item.handoff_id];
        });
        var messaged = mine.filter(function (item) {
          var looking =
            openConversation &&
            openConversation.getAttribute("data-conversation") === item.conversation_id &&
            document.visibilityState === "visible";
          return !looking && item.new_messages > (before.messages[item.conversation_id] || 0);
        });
        fresh.forEach(function (item) {
          var text = t("notify_handoff");
          notify(
            text,
            t("notify_handoff_body", { language: item.language, question: item.question.slice(0, 120) }),
            "nso-handoff-" + item.handoff_id,
            "/console/conversations/" + encodeURIComponent(item.conversation_id)
          );
          if (announcer) announcer.textContent = text;
        });
        messaged.forEach(function (item) {
          var text = plural("notify_message", item.new_messages);
          notify(
            text,
            item.question.slice(0, 120),
            "nso-message-" + item.conversation_id,
            "/console/conversations/" + encodeURIComponent(item.conversation_id)
          );
          if (announcer) announcer.textContent = text;
        });
        if (fresh.length) chime([880, 1320]);
        else if (messaged.length) chime([988]);
      }
      seen = now;
      if (memory) memory.setItem(SEEN_KEY, JSON.stringify(now));
      queueListeners.forEach(function (fn) {
        fn(data);
      });
    }

    followQueue(update);
  }

  window.NsoConsole = {
    lang: lang,
    t: t,
    plural: plural,
    label: label,
    api: api,
    fill: fill,
    show: show,
    clone: clone,
    duration: duration,
    localTimes: localTimes,
    stream: stream,
    reveal: reveal,
    onQueue: onQueue,
  };

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    var header = document.querySelector("header.top[data-agent-id]");
    if (header) alerts(header);
  });
})();
