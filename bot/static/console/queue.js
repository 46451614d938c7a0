/* The queue page: rows re-rendered from the queue's Server-Sent Events (which console.js follows
   on every page, for the alerts), the longest-waiting teacher first; waiting times tick. */
(function () {
  "use strict";
  var C = window.NsoConsole;

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("[data-queue-body]");
    var empty = document.querySelector("[data-queue-empty]");
    var template = document.querySelector("template[data-queue-row]");
    var skew = 0; // server clock minus browser clock, in ms

    function row(item) {
      var tr = C.clone(template);
      tr.setAttribute("data-conversation", item.conversation_id);
      tr.setAttribute("data-status", item.status);
      C.fill(tr, {
        language: item.language,
        channel: C.label("channel", item.channel),
        question: item.question,
        last_bot_answer: item.last_bot_answer || "",
        status: C.label("status", item.status),
        taken_by: item.taken_by || "",
        new_messages: item.new_messages,
      });
      var waited = tr.querySelector('[data-slot="waiting"]');
      waited.setAttribute("data-since", item.waiting_since || "");
      if (item.waiting_since) waited.setAttribute("datetime", item.waiting_since);
      else waited.removeAttribute("datetime");
      C.show(tr, "taken_by", Boolean(item.taken_by));
      C.show(tr, "new_messages", item.new_messages > 0);
      tr.querySelector('[data-slot="link"]').setAttribute(
        "href",
        "/console/conversations/" + encodeURIComponent(item.conversation_id)
      );
      tr.querySelector('[data-action="take"]').hidden = item.status !== "waiting";
      return tr;
    }

    function tick() {
      var now = Date.now() + skew;
      body.querySelectorAll("[data-since]").forEach(function (node) {
        var since = Date.parse(node.getAttribute("data-since"));
        node.textContent = isNaN(since) ? C.t("not_waiting") : C.duration((now - since) / 1000);
      });
    }

    C.onQueue(function (data) {
      skew = Date.parse(data.now) - Date.now();
      body.replaceChildren.apply(body, data.items.map(row));
      empty.hidden = data.items.length > 0;
      tick();
    });
    window.setInterval(tick, 1000);
    tick();

    body.addEventListener("click", function (event) {
      var button = event.target.closest('[data-action="take"]');
      if (!button) return;
      var id = button.closest("tr").getAttribute("data-conversation");
      C.reveal(document, "[data-error]", false);
      button.disabled = true;
      C.api("POST", "/console/api/conversations/" + encodeURIComponent(id) + "/take")
        .then(function () {
          window.location.assign("/console/conversations/" + encodeURIComponent(id));
        })
        .catch(function (error) {
          button.disabled = false;
          var code = error.body && error.body.code === "taken" ? "taken" : "other";
          C.reveal(document, '[data-error="' + code + '"]', true);
        });
    });
  });
})();
