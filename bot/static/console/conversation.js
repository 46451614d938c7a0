/* The conversation page: live transcript, take over, reply, notes, hand back, close, erase (admins). */
(function () {
  "use strict";
  var C = window.NsoConsole;

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-conversation]");
    var id = root.getAttribute("data-conversation");
    var me = Number(root.getAttribute("data-agent-id"));
    var admin = root.getAttribute("data-admin") === "true";
    var base = "/console/api/conversations/" + encodeURIComponent(id);
    var transcript = root.querySelector("[data-transcript]");
    var notes = root.querySelector("[data-notes]");
    var actions = root.querySelector("[data-actions]");
    var replyForm = root.querySelector("[data-reply-form]");
    var noteForm = root.querySelector("[data-note-form]");
    var messageTemplate = document.querySelector("template[data-message]");
    var noteTemplate = document.querySelector("template[data-note]");

    function seen(list, itemId) {
      return list.querySelector('[data-id="' + itemId + '"]') !== null;
    }

    function addMessage(m) {
      if (seen(transcript, m.id)) return;
      var li = C.clone(messageTemplate);
      li.className = "msg msg--" + m.role;
      li.setAttribute("data-id", m.id);
      C.fill(li, {
        role: C.label("role", m.role),
        agent: m.agent || "",
        kind: C.label("kind", m.kind),
        status: C.label("message_status", m.status),
        rating: C.label("rating", m.rating),
        match: m.match || "",
        confidence: m.confidence == null ? "" : m.confidence.toFixed(2),
        body: m.body,
        buttons: m.buttons.join(" · "),
        rating_comment: m.rating_comment || "",
      });
      var time = li.querySelector('[data-slot="time"]');
      time.setAttribute("datetime", m.created_at);
      C.show(li, "agent", Boolean(m.agent));
      C.show(li, "kind", Boolean(m.kind) && m.kind !== "other");
      C.show(li, "status", m.status === "queued");
      C.show(li, "rating", Boolean(m.rating));
      C.show(li, "match", Boolean(m.match));
      C.show(li, "buttons", m.buttons.length > 0);
      C.show(li, "rating_comment", Boolean(m.rating_comment));
      var sources = li.querySelector(".sources");
      m.sources.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        sources.appendChild(item);
      });
      C.show(li, "sources", m.sources.length > 0);
      transcript.appendChild(li);
      C.localTimes(li);
      li.scrollIntoView({ block: "nearest" });
    }

    function addNote(n) {
      if (seen(notes, n.id)) return;
      var li = C.clone(noteTemplate);
      li.setAttribute("data-id", n.id);
      C.fill(li, { agent: n.agent, text: n.text });
      li.querySelector('[data-slot="time"]').setAttribute("datetime", n.created_at);
      notes.appendChild(li);
      C.localTimes(li);
    }

    function controls(handoff, keepText) {
      var state = handoff ? handoff.status : "none";
      var takenBy = handoff && handoff.taken_by_id ? Number(handoff.taken_by_id) : null;
      var mine = state === "taken" && takenBy === me;
      var canFinish = state === "waiting" || mine || (state === "taken" && admin);
      actions.setAttribute("data-handoff-state", state);
      actions.querySelector('[data-action="take"]').hidden = state !== "waiting";
      actions.querySelector('[data-action="handback"]').hidden = !canFinish;
      actions.querySelector('[data-action="close"]').hidden = !canFinish;
      replyForm.querySelector("textarea").disabled = !mine;
      replyForm.querySelector("button").disabled = !mine;
      replyForm.querySelector("[data-reply-hint]").hidden = mine;
      if (keepText) return;
      var status = root.querySelector("[data-handoff-status]");
      var parts = { status: C.label("status", handoff && handoff.status), reason: C.label("reason", handoff && handoff.reason) };
      if (!handoff) status.textContent = C.t("handoff_none");
      else if (handoff.taken_by) status.textContent = C.t("handoff_taken", Object.assign({ agent: handoff.taken_by }, parts));
      else status.textContent = C.t("handoff_open", parts);
    }

    function clearAlerts() {
      C.reveal(root, "[data-error], [data-warning], [data-done]", false);
    }

    function warn(result) {
      (result.warnings || []).forEach(function (code) {
        C.reveal(root, '[data-warning="' + code + '"]', true);
      });
    }

    function fail(error) {
      var code = error.body && error.body.code ? error.body.code : "other";
      if (!root.querySelector('[data-error="' + code + '"]')) code = "other";
      var box = root.querySelector('[data-error="' + code + '"]');
      var taker = box.querySelector('[data-slot="taken_by"]');
      if (taker) taker.textContent = error.body && error.body.taken_by ? " (" + error.body.taken_by + ")" : "";
      box.hidden = false;
    }

    actions.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      clearAlerts();
      button.disabled = true;
      C.api("POST", base + "/" + action)
        .then(function (result) {
          controls(result.handoff);
          warn(result);
          C.reveal(root, '[data-done="' + action + '"]', true);
          if (action === "take") replyForm.querySelector("textarea").focus();
        })
        .catch(fail)
        .finally(function () {
          button.disabled = false;
        });
    });

    replyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = replyForm.querySelector("textarea");
      var text = box.value.trim();
      if (!text) return;
      clearAlerts();
      C.api("POST", base + "/messages", { text: text })
        .then(function (result) {
          box.value = "";
          addMessage(result.message);
          warn(result);
        })
        .catch(fail);
    });

    noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = noteForm.querySelector("textarea");
      var text = box.value.trim();
      if (!text) return;
      C.api("POST", base + "/notes", { text: text })
        .then(function (result) {
          box.value = "";
          addNote(result.note);
        })
        .catch(fail);
    });

    // Only rendered for admins; the server checks the role again.
    var eraseButton = root.querySelector("[data-erase]");
    if (eraseButton) {
      eraseButton.addEventListener("click", function () {
        if (!window.confirm(eraseButton.getAttribute("data-confirm"))) return;
        clearAlerts();
        eraseButton.disabled = true;
        C.api("POST", base + "/erase")
          .then(function (result) {
            var done = result.rasa_tracker_erased ? "erased" : "erased_rasa_down";
            window.location.assign("/console/transcripts?done=" + done);
          })
          .catch(function (error) {
            eraseButton.disabled = false;
            fail(error);
          });
      });
    }

    // Typing, both ways: the agent's typing shows in the widget (its polling reads it), and the
    // teacher's typing shows here, read every 2 s.
    var typingSent = 0;
    replyForm.querySelector("textarea").addEventListener("input", function () {
      if (actions.getAttribute("data-handoff-state") !== "taken" || Date.now() - typingSent < 3000) return;
      typingSent = Date.now();
      C.api("POST", base + "/typing").catch(function () {
        /* only a hint */
      });
    });
    var userTyping = document.createElement("p");
    userTyping.className = "muted";
    userTyping.setAttribute("role", "status");
    userTyping.setAttribute("data-user-typing", "");
    transcript.insertAdjacentElement("afterend", userTyping);
    window.setInterval(function () {
      if (actions.getAttribute("data-handoff-state") === "none" || document.hidden) {
        userTyping.textContent = "";
        return;
      }
      C.api("GET", base + "/typing")
        .then(function (result) {
          userTyping.textContent = result.user_typing ? C.t("user_typing") : "";
        })
        .catch(function () {
          userTyping.textContent = "";
        });
    }, 2000);

    var initial = actions.getAttribute("data-handoff-state");
    var initialTaker = actions.getAttribute("data-taken-by");
    controls(
      initial === "none"
        ? null
        : {
            status: initial,
            taken_by_id: initialTaker ? Number(initialTaker) : null,
            taken_by: null,
            reason: "",
          },
      true // keep the server-rendered status text until the first event
    );
    C.stream(
      base + "/events?after=" + root.getAttribute("data-after"),
      function (data) {
        data.messages.forEach(addMessage);
        data.notes.forEach(addNote);
        controls(data.handoff);
      },
      "conversation"
    );
  });
})();
