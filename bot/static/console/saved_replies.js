/* Saved replies on the conversation page: "/shortcut" then Tab in the reply box inserts the text.
   The replies in the conversation's language come from /console/api/saved-replies. */
(function () {
  "use strict";
  var box = document.querySelector("textarea[data-saved-replies]");
  if (!box) return;
  var list = document.querySelector("[data-saved-replies-list]");
  var replies = {};

  fetch("/console/api/saved-replies?language=" + encodeURIComponent(box.dataset.savedReplies), {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (items) {
      items.forEach(function (item) { replies[item.shortcut] = item.text; });
      if (list) list.textContent = items.map(function (item) { return "/" + item.shortcut; }).join(" ");
      box.dataset.savedRepliesReady = "true";
    });

  box.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    var caret = box.selectionStart;
    if (caret !== box.selectionEnd) return;
    var before = box.value.slice(0, caret);
    var match = /(^|\s)\/([a-z0-9][a-z0-9_-]*)$/i.exec(before);
    if (!match) return;
    var text = replies[match[2].toLowerCase()];
    if (text === undefined) return;
    event.preventDefault();
    var start = caret - match[2].length - 1;
    box.value = box.value.slice(0, start) + text + box.value.slice(caret);
    box.selectionStart = box.selectionEnd = start + text.length;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
