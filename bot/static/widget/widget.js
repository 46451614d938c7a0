/*
 * eTwinning helpdesk chat widget. An NSO embeds it with one tag:
 *
 *   <script src="https://NSO-HOST/widget.js" data-lang="nl" data-title="eTwinning helpdesk"
 *           data-color="#0b5fff" data-api="https://NSO-HOST"></script>
 *
 * Plain JavaScript, no build step and no third-party code. Everything lives in a shadow root so
 * the host page's CSS cannot reach it. Text from users, the assistant and agents is only ever
 * set with textContent; links are built as <a> elements. The UI chrome labels below are the only
 * user-facing text in this file; all answers come from the API (bot/channels/web.py).
 */
(function () {
  "use strict";

  if (window.__nsoChatWidget) return; // the tag was pasted twice
  window.__nsoChatWidget = true;

  var LABELS = {
    en: {
      launcher: "Questions? Chat with us",
      close: "Close chat",
      language: "Language",
      log: "Conversation",
      intro: "Hello! Ask me about eTwinning and the European School Education Platform. I answer in English, Dutch and Slovenian and show where each answer comes from.",
      input: "Your question",
      placeholder: "Type your question…",
      send: "Send",
      human: "Talk to a person",
      typing: "The assistant is typing…",
      you: "You",
      bot: "Assistant",
      agent: "Helpdesk",
      system: "Notice",
      choose: "Choose an option",
      rate: "Was this answer helpful?",
      up: "Helpful",
      down: "Not helpful",
      thanks: "Thanks for your feedback.",
      newTab: "(opens in a new tab)",
      handoff: "Passed to the helpdesk: a person will reply here.",
      unread: "new message",
      failed: "Your message could not be sent. Please check your connection and try again.",
      joined: "%s from the helpdesk has joined the chat.",
      agentTyping: "%s is typing…",
      endChat: "End chat",
      rateChat: "How was your chat with the helpdesk?",
      rateScale: "Rate this chat from 1 (poor) to 5 (very good)",
      rateStar: "%s out of 5",
      comment: "Comment (optional)",
      sendRating: "Send rating",
      skip: "Skip",
      rated: "Thank you! The chat has ended and has been cleared from this device.",
      emailOffer: "Leave your e-mail address if you cannot wait: we send the helpdesk's replies there (optional).",
      email: "E-mail address",
      emailConsent: "I agree that the helpdesk keeps this address to answer this question. It is deleted with the conversation.",
      transcript: "Also e-mail me the transcript when the chat ends",
      emailSave: "Save e-mail address",
      emailSaved: "We will e-mail the helpdesk's replies to %s.",
      emailInvalid: "Please enter a valid e-mail address and tick the consent box.",
      unreadTitle: "new messages",
    },
    nl: {
      launcher: "Vragen? Chat met ons",
      close: "Chat sluiten",
      language: "Taal",
      log: "Gesprek",
      intro: "Hallo! Stel me je vraag over eTwinning en het European School Education Platform. Ik antwoord in het Engels, Nederlands en Sloveens en vermeld bij elk antwoord de bron.",
      input: "Je vraag",
      placeholder: "Typ je vraag…",
      send: "Verzenden",
      human: "Met een medewerker praten",
      typing: "De assistent typt…",
      you: "Jij",
      bot: "Assistent",
      agent: "Helpdesk",
      system: "Melding",
      choose: "Kies een optie",
      rate: "Was dit antwoord nuttig?",
      up: "Nuttig",
      down: "Niet nuttig",
      thanks: "Bedankt voor je feedback.",
      newTab: "(opent in een nieuw tabblad)",
      handoff: "Doorgegeven aan de helpdesk: een medewerker antwoordt hier.",
      unread: "nieuw bericht",
      failed: "Je bericht kon niet worden verzonden. Controleer je verbinding en probeer het opnieuw.",
      joined: "%s van de helpdesk neemt deel aan het gesprek.",
      agentTyping: "%s typt…",
      endChat: "Gesprek beëindigen",
      rateChat: "Hoe was je gesprek met de helpdesk?",
      rateScale: "Beoordeel dit gesprek van 1 (slecht) tot 5 (heel goed)",
      rateStar: "%s van 5",
      comment: "Opmerking (optioneel)",
      sendRating: "Beoordeling verzenden",
      skip: "Overslaan",
      rated: "Bedankt! Het gesprek is beëindigd en van dit toestel gewist.",
      emailOffer: "Laat je e-mailadres achter als je niet kunt wachten: we sturen de antwoorden van de helpdesk daarheen (optioneel).",
      email: "E-mailadres",
      emailConsent: "Ik ga ermee akkoord dat de helpdesk dit adres bewaart om deze vraag te beantwoorden. Het wordt samen met het gesprek gewist.",
      transcript: "Mail me ook het verslag van het gesprek als het afgelopen is",
      emailSave: "E-mailadres bewaren",
      emailSaved: "We mailen de antwoorden van de helpdesk naar %s.",
      emailInvalid: "Vul een geldig e-mailadres in en vink het akkoord aan.",
      unreadTitle: "nieuwe berichten",
    },
    sl: {
      launcher: "Vprašanja? Klepetajte z nami",
      close: "Zapri klepet",
      language: "Jezik",
      log: "Pogovor",
      intro: "Pozdravljeni! Vprašajte me o eTwinningu in Evropski platformi za šolsko izobraževanje. Odgovarjam v angleščini, nizozemščini in slovenščini ter pri vsakem odgovoru navedem vir.",
      input: "Vaše vprašanje",
      placeholder: "Vpišite vprašanje…",
      send: "Pošlji",
      human: "Pogovor s človekom",
      typing: "Pomočnik piše …",
      you: "Vi",
      bot: "Pomočnik",
      agent: "Služba za pomoč",
      system: "Obvestilo",
      choose: "Izberite možnost",
      rate: "Je bil ta odgovor koristen?",
      up: "Koristno",
      down: "Ni koristno",
      thanks: "Hvala za vaše mnenje.",
      newTab: "(odpre se v novem zavihku)",
      handoff: "Posredovano službi za pomoč: odgovoril vam bo človek.",
      unread: "novo sporočilo",
      failed: "Sporočila ni bilo mogoče poslati. Preverite povezavo in poskusite znova.",
      joined: "%s iz službe za pomoč se je pridružil(a) klepetu.",
      agentTyping: "%s piše …",
      endChat: "Končaj klepet",
      rateChat: "Kako ste bili zadovoljni s klepetom s službo za pomoč?",
      rateScale: "Ocenite ta klepet od 1 (slabo) do 5 (zelo dobro)",
      rateStar: "%s od 5",
      comment: "Komentar (neobvezno)",
      sendRating: "Pošlji oceno",
      skip: "Preskoči",
      rated: "Hvala! Klepet je končan in izbrisan s te naprave.",
      emailOffer: "Če ne morete počakati, pustite e-poštni naslov: tja vam bomo poslali odgovore službe za pomoč (neobvezno).",
      email: "E-poštni naslov",
      emailConsent: "Strinjam se, da služba za pomoč hrani ta naslov, da odgovori na to vprašanje. Izbrisan bo skupaj s pogovorom.",
      transcript: "Ob koncu klepeta mi pošljite tudi zapis pogovora",
      emailSave: "Shrani e-poštni naslov",
      emailSaved: "Odgovore službe za pomoč bomo poslali na %s.",
      emailInvalid: "Vpišite veljaven e-poštni naslov in potrdite soglasje.",
      unreadTitle: "nova sporočila",
    },
  };
  var LANGS = [
    ["en", "English"],
    ["nl", "Nederlands"],
    ["sl", "Slovenščina"],
  ];
  var ROLES = ["user", "bot", "agent", "system"];
  var HUMAN_PAYLOAD = "/ask_human";
  var MAX_TEXT = 2000;
  var POLL_MS = 3000;
  var TYPING_PING_MS = 3000; // the console shows "typing" for 6 s after a ping
  var CONSENT_VERSION = "email-consent-v1"; // conversation/contact.py CONSENT_VERSION: the emailConsent text
  var REQUEST_TIMEOUT_MS = 30000;
  var BUSY_RETRIES = 4; // a message refused with 429/503 is sent again this many times
  var MAX_RETRY_WAIT_S = 20; // longest wait between them, whatever Retry-After says
  // A line that starts with one of these is the answer's source (see domain/responses.yml).
  var SOURCE_LINE = /^(Sources?|Bron(nen)?|Viri?):\s/;
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+/gi;
  var ICONS = {
    chat: "M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2z",
    close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
    send: "M2.01 21 23 12 2.01 3 2 10l15 2-15 2z",
    person: "M12 12c2.21 0 4-1.79 4-4s-1.79-4-4-4-4 1.79-4 4 1.79 4 4 4zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z",
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
  };

  // ---- configuration from the script tag -------------------------------------------------------

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script) return;
  var scriptUrl = new URL(script.src, location.href);
  var config = {
    lang: LABELS[script.dataset.lang] ? script.dataset.lang : "en",
    title: script.dataset.title || "eTwinning helpdesk",
    color: script.dataset.color || "#0b5fff",
    api: (script.dataset.api || scriptUrl.origin).replace(/\/+$/, ""),
    css: new URL("widget.css", scriptUrl).href,
  };

  // ---- persisted state (localStorage may be blocked: then the chat simply starts fresh) ---------

  var STORAGE_KEY = "nso-chat:" + config.api;
  var stored = load();
  var state = {
    conversationId: stored.conversationId || null,
    token: stored.token || null, // issued by the server with the id; every chat request shows it
    lang: LABELS[stored.lang] ? stored.lang : config.lang, // stored only when the user picks one
    ratings: stored.ratings || {},
    handoff: false,
    agent: null, // first name of the agent who has the chat
    contact: stored.contact || null, // the e-mail address left at hand-off
    busy: false,
    lastId: 0,
    unread: 0,
  };
  var pageTitle = document.title;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function save(extra) {
    try {
      var data = load();
      data.conversationId = state.conversationId;
      data.token = state.token;
      data.ratings = state.ratings;
      data.contact = state.contact;
      Object.assign(data, extra || {});
      localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
    } catch (e) {
      /* private mode or storage disabled */
    }
  }

  function t(key, value) {
    var text = LABELS[state.lang][key];
    return value === undefined ? text : text.replace("%s", value);
  }

  // ---- colour: keep WCAG AA contrast whatever data-color the NSO chose --------------------------

  var WHITE = [255, 255, 255];
  var INK = [17, 17, 17];
  var BUBBLE_BG = [230, 232, 235]; // darker than every message background in widget.css

  function parseColor(value) {
    var ctx = document.createElement("canvas").getContext("2d");
    if (!ctx) return null;
    var sentinel = "#010203";
    ctx.fillStyle = sentinel;
    ctx.fillStyle = value;
    var out = String(ctx.fillStyle);
    if (out === sentinel && value.toLowerCase() !== sentinel) return null;
    if (out.charAt(0) === "#") {
      return [1, 3, 5].map(function (i) {
        return parseInt(out.slice(i, i + 2), 16);
      });
    }
    var parts = out.match(/[\d.]+/g);
    return parts ? parts.slice(0, 3).map(Number) : null;
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function darken(rgb) {
    return rgb.map(function (v) {
      return Math.floor(v * 0.9);
    });
  }

  function css(rgb) {
    return "rgb(" + rgb.join(", ") + ")";
  }

  /** Brand colour (darkened if even the better text colour fails 4.5:1), its text colour, links. */
  function palette(value) {
    var brand = parseColor(value) || parseColor("#0b5fff");
    while (Math.max(contrast(brand, WHITE), contrast(brand, INK)) < 4.5) brand = darken(brand);
    var onBrand = contrast(brand, WHITE) >= contrast(brand, INK) ? WHITE : INK;
    var link = brand;
    while (contrast(link, BUBBLE_BG) < 4.5) link = darken(link);
    return { brand: css(brand), onBrand: css(onBrand), link: css(link) };
  }

  // ---- DOM helpers ------------------------------------------------------------------------------

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  /**
   * Give a node a UI label (as its text, aria-label or placeholder) that follows the language
   * picker; ``format`` wraps it, e.g. "%s: " for a speaker name read before a message.
   */
  function label(node, key, where, format) {
    node.setAttribute("data-l10n", key);
    node.setAttribute("data-l10n-where", where || "text");
    if (format) node.setAttribute("data-l10n-format", format);
    applyLabel(node);
    return node;
  }

  function applyLabel(node) {
    var arg = node.getAttribute("data-l10n-value");
    var text = t(node.getAttribute("data-l10n"), arg === null ? undefined : arg);
    var value = (node.getAttribute("data-l10n-format") || "%s").replace("%s", text);
    var where = node.getAttribute("data-l10n-where");
    if (where === "text") node.textContent = value;
    else node.setAttribute(where === "aria" ? "aria-label" : where, value);
  }

  function relabel() {
    root.querySelectorAll("[data-l10n]").forEach(applyLabel);
    panel.setAttribute("lang", state.lang);
    launcher.setAttribute("lang", state.lang);
    languageSelect.value = state.lang;
  }

  /** Append text with its line breaks kept (CSS pre-wrap), source lines marked, URLs as links. */
  function appendRichText(parent, text) {
    text.split("\n").forEach(function (line, i) {
      if (i > 0) parent.appendChild(document.createTextNode("\n"));
      var target = parent;
      if (SOURCE_LINE.test(line)) target = parent.appendChild(el("span", "source"));
      appendLinkified(target, line);
    });
  }

  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(URL_IN_TEXT, function (match, offset) {
      var url = trimUrl(match);
      var href = safeHref(url);
      if (!href) return match;
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = el("a", "link", { href: href, target: "_blank", rel: "noopener noreferrer" });
      a.textContent = url;
      a.appendChild(label(el("span", "sr-only"), "newTab", "text", " %s"));
      parent.appendChild(a);
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Drop sentence punctuation after a URL, and a closing bracket that was not opened in it. */
  function trimUrl(url) {
    for (;;) {
      var end = url.charAt(url.length - 1);
      if (".,;:!?".indexOf(end) >= 0) url = url.slice(0, -1);
      else if (end === ")" && url.split("(").length < url.split(")").length) url = url.slice(0, -1);
      else return url;
    }
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---- building the widget ----------------------------------------------------------------------

  var host = el("div", "", { id: "nso-chat-widget" });
  var root = host.attachShadow({ mode: "open" });
  host.style.cssText = "all: initial"; // page rules (div { transform: … }) must not reach the widget
  var colours = palette(config.color);
  host.style.setProperty("--nso-brand", colours.brand);
  host.style.setProperty("--nso-on-brand", colours.onBrand);
  host.style.setProperty("--nso-link", colours.link);

  var launcher = el("button", "launcher", {
    type: "button",
    "aria-expanded": "false",
    "aria-controls": "nso-chat-panel",
  });
  launcher.appendChild(icon("chat"));
  launcher.appendChild(label(el("span", "launcher-text"), "launcher"));
  var unreadBadge = el("span", "unread", { hidden: "" });
  var unreadCount = unreadBadge.appendChild(el("span", "unread-count"));
  unreadBadge.appendChild(label(el("span", "sr-only"), "unread", "text", " %s"));
  launcher.appendChild(unreadBadge);

  var panel = el("section", "panel", {
    id: "nso-chat-panel",
    role: "dialog",
    "aria-label": config.title,
    hidden: "",
  });
  var head = panel.appendChild(el("header", "head"));
  var titles = head.appendChild(el("div", "titles"));
  titles.appendChild(el("h2", "title")).textContent = config.title;
  var handoffNote = titles.appendChild(label(el("p", "handoff-note", { hidden: "" }), "handoff"));
  var languageSelect = head.appendChild(label(el("select", "language"), "language", "aria"));
  LANGS.forEach(function (pair) {
    var option = el("option", "", { value: pair[0], lang: pair[0] });
    option.textContent = pair[1];
    languageSelect.appendChild(option);
  });
  var closeButton = head.appendChild(label(el("button", "close", { type: "button" }), "close", "aria"));
  closeButton.appendChild(icon("close"));

  // The message log scrolls, so it is focusable (keyboard users can scroll it with the arrows).
  var log = panel.appendChild(
    label(el("div", "log", { role: "log", "aria-live": "polite", tabindex: "0" }), "log", "aria")
  );
  log.appendChild(label(el("p", "intro"), "intro"));

  var typing = panel.appendChild(el("div", "typing", { role: "status" }));
  var typingInner = typing.appendChild(el("span", "typing-inner", { hidden: "" }));
  var dots = typingInner.appendChild(el("span", "dots", { "aria-hidden": "true" }));
  dots.appendChild(el("span"));
  dots.appendChild(el("span"));
  dots.appendChild(el("span"));
  var typingText = typingInner.appendChild(label(el("span", "typing-text"), "typing"));

  var announcer = panel.appendChild(el("div", "sr-only", { role: "status" }));

  var actions = panel.appendChild(el("div", "actions"));
  var humanButton = actions.appendChild(el("button", "human", { type: "button" }));
  humanButton.appendChild(icon("person"));
  humanButton.appendChild(label(el("span"), "human"));

  var endButton = actions.appendChild(el("button", "end", { type: "button", hidden: "" }));
  endButton.appendChild(icon("close"));
  endButton.appendChild(label(el("span"), "endChat"));

  // The optional e-mail address, offered at hand-off: replies reach a teacher who has left.
  var contactForm = el("form", "contact", { novalidate: "", hidden: "" });
  contactForm.appendChild(label(el("p", "contact-offer", { id: "nso-chat-contact-offer" }), "emailOffer"));
  contactForm.appendChild(label(el("label", "field-label", { for: "nso-chat-email" }), "email"));
  var emailInput = contactForm.appendChild(
    el("input", "email", {
      id: "nso-chat-email",
      type: "email",
      autocomplete: "email",
      maxlength: "254",
      "aria-describedby": "nso-chat-contact-offer",
    })
  );
  var consentRow = contactForm.appendChild(el("div", "check"));
  var consentBox = consentRow.appendChild(el("input", "", { id: "nso-chat-consent", type: "checkbox" }));
  consentRow.appendChild(label(el("label", "", { for: "nso-chat-consent" }), "emailConsent"));
  var transcriptRow = contactForm.appendChild(el("div", "check"));
  var transcriptBox = transcriptRow.appendChild(el("input", "", { id: "nso-chat-transcript", type: "checkbox" }));
  transcriptRow.appendChild(label(el("label", "", { for: "nso-chat-transcript" }), "transcript"));
  var contactError = contactForm.appendChild(label(el("p", "form-error", { hidden: "" }), "emailInvalid"));
  var contactSave = contactForm.appendChild(label(el("button", "secondary", { type: "submit" }), "emailSave"));
  var contactDone = el("p", "contact-done", { hidden: "" });
  panel.insertBefore(contactForm, typing);
  panel.insertBefore(contactDone, typing);

  // After "End chat": one optional question, then the widget starts afresh.
  var ratingForm = el("form", "rating", { novalidate: "", hidden: "" });
  var ratingTitle = ratingForm.appendChild(label(el("p", "rating-title", { id: "nso-chat-rate-title" }), "rateChat"));
  var scale = ratingForm.appendChild(label(el("div", "scale", { role: "group" }), "rateScale", "aria"));
  var chosenRating = 0;
  [1, 2, 3, 4, 5].forEach(function (n) {
    var star = scale.appendChild(el("button", "star", { type: "button", "aria-pressed": "false" }));
    star.textContent = String(n);
    star.setAttribute("data-l10n-value", String(n));
    label(star, "rateStar", "aria");
    star.addEventListener("click", function () {
      chosenRating = n;
      scale.querySelectorAll(".star").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === star));
      });
    });
  });
  ratingForm.appendChild(label(el("label", "field-label", { for: "nso-chat-comment" }), "comment"));
  var commentInput = ratingForm.appendChild(el("textarea", "comment", { id: "nso-chat-comment", rows: "2", maxlength: String(MAX_TEXT) }));
  var ratingButtons = ratingForm.appendChild(el("div", "rating-buttons"));
  ratingButtons.appendChild(label(el("button", "primary", { type: "submit" }), "sendRating"));
  var skipButton = ratingButtons.appendChild(label(el("button", "secondary", { type: "button" }), "skip"));
  panel.insertBefore(ratingForm, typing);

  var form = panel.appendChild(el("form", "composer", { novalidate: "" }));
  form.appendChild(label(el("label", "sr-only", { for: "nso-chat-input" }), "input"));
  var input = form.appendChild(
    label(
      el("textarea", "input", { id: "nso-chat-input", rows: "1", maxlength: String(MAX_TEXT) }),
      "placeholder",
      "placeholder"
    )
  );
  var sendButton = form.appendChild(el("button", "send", { type: "submit" }));
  sendButton.appendChild(icon("send"));
  sendButton.appendChild(label(el("span"), "send"));

  // ---- messages ---------------------------------------------------------------------------------

  var seen = new Set();
  var localText = new WeakMap(); // user bubbles shown before the server gave them an id

  function roleOf(m) {
    return ROLES.indexOf(m.role) >= 0 ? m.role : "system";
  }

  function renderMessage(m) {
    var role = roleOf(m);
    var item = el("div", "msg msg--" + role);
    if (m.id) item.setAttribute("data-id", String(m.id));
    if (role === "agent") item.appendChild(label(el("p", "speaker", { "aria-hidden": "true" }), "agent"));
    if (m.text) item.appendChild(renderBubble(m.text, role === "user" ? "you" : role));
    item.appendChild(timestamp(m.created_at));
    if (m.buttons && m.buttons.length) item.appendChild(quickReplies(m.buttons));
    if (role === "bot" && m.id) item.appendChild(feedback(m.id));
    return item;
  }

  /** The message's time (HH:MM, the reader's clock); the server's times are UTC. */
  function timestamp(iso) {
    var when = iso ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z") : new Date();
    if (isNaN(when.getTime())) when = new Date();
    var node = el("time", "time", { datetime: when.toISOString() });
    node.textContent = when.toLocaleTimeString(state.lang, { hour: "2-digit", minute: "2-digit" });
    return node;
  }

  function renderBubble(text, speaker) {
    var bubble = el("div", "bubble");
    if (speaker) bubble.appendChild(label(el("span", "sr-only"), speaker, "text", "%s: "));
    appendRichText(bubble.appendChild(el("span", "text")), text);
    return bubble;
  }

  /**
   * Show a message at the end of the log. Rasa sends one answer as several messages (answer,
   * source, notes): a bot message without buttons that follows another bot message joins it, so
   * the answer is rated once, with thumbs after its source and notes.
   */
  function place(m) {
    var last = log.lastElementChild;
    var joins =
      roleOf(m) === "bot" &&
      m.text &&
      !(m.buttons && m.buttons.length) &&
      last &&
      last.classList.contains("msg--bot") &&
      !last.querySelector(".quick");
    if (joins) return last.insertBefore(renderBubble(m.text, null), last.querySelector(".time"));
    return log.appendChild(renderMessage(m));
  }

  function quickReplies(buttons) {
    var group = label(el("div", "quick", { role: "group" }), "choose", "aria");
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string" || typeof b.payload !== "string") return;
      var button = group.appendChild(el("button", "quick-reply", { type: "button" }));
      button.textContent = b.title;
      button.addEventListener("click", function () {
        send(b.title, b.payload);
        input.focus();
      });
    });
    return group;
  }

  function feedback(messageId) {
    var group = label(el("div", "feedback", { role: "group" }), "rate", "aria");
    var thanks = label(el("span", "thanks", { hidden: "" }), "thanks");
    ["up", "down"].forEach(function (rating) {
      var button = label(el("button", "rate rate--" + rating, { type: "button" }), rating, "aria");
      button.setAttribute("aria-pressed", String(state.ratings[messageId] === rating));
      button.appendChild(icon(rating));
      button.addEventListener("click", function () {
        rate(messageId, rating, group, thanks);
      });
      group.appendChild(button);
    });
    group.appendChild(thanks);
    return group;
  }

  function rate(messageId, rating, group, thanks) {
    api("POST", "/api/chat/feedback", {
      conversation_id: state.conversationId,
      message_id: messageId,
      rating: rating,
    }).then(
      function () {
        state.ratings[messageId] = rating;
        save();
        group.querySelectorAll(".rate").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.classList.contains("rate--" + rating)));
        });
        thanks.hidden = false;
        announce(t("thanks"));
      },
      function () {
        announce(t("failed"));
      }
    );
  }

  /** Add messages not shown yet (by id); a user message we already show locally just gets its id. */
  function merge(messages, toEnd) {
    var first = null;
    messages.forEach(function (m) {
      if (seen.has(m.id)) return;
      seen.add(m.id);
      state.lastId = Math.max(state.lastId, m.id);
      if (m.role === "user") {
        var local = Array.prototype.find.call(log.querySelectorAll(".msg--user:not([data-id])"), function (n) {
          return localText.get(n) === m.text;
        });
        if (local) {
          local.setAttribute("data-id", String(m.id));
          return;
        }
      }
      var placed = place(m);
      if (!first && m.role !== "user") first = placed;
    });
    if (toEnd || !first) scrollToEnd();
    else reveal(first);
    var agentReplies = messages.filter(function (m) {
      return m.role === "agent";
    }).length;
    if (panel.hidden && !toEnd) setUnread(state.unread + (agentReplies || (first ? 1 : 0)));
    else if (!panel.hidden) markSeen();
  }

  /** The launcher's badge shows the count, the page title a marker, until the panel is opened. */
  function setUnread(count) {
    state.unread = count;
    unreadBadge.hidden = count === 0;
    unreadCount.textContent = count ? String(count) : "";
    document.title = count ? "(" + count + ") " + pageTitle : pageTitle;
  }

  /** Tell the server the user has seen everything up to the last message (unread is kept there). */
  function markSeen() {
    setUnread(0);
    if (!state.conversationId || !state.lastId || state.lastId === state.seenId) return;
    state.seenId = state.lastId;
    api("POST", conversationPath("/seen"), { message_id: state.lastId }).catch(function () {
      state.seenId = 0;
    });
  }

  function addLocal(role, text) {
    var item = renderMessage({ role: role, text: text, buttons: [] });
    if (role === "user") localText.set(item, text);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Scroll so a long reply is read from its start (with the question before it, if that fits). */
  function reveal(node) {
    var anchor = node.closest(".msg") || node;
    var question = anchor.previousElementSibling;
    if (question && question.classList.contains("msg--user") && question.offsetHeight < log.clientHeight / 3) {
      anchor = question;
    }
    var top = anchor.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 8;
    log.scrollTop = Math.min(top, log.scrollHeight - log.clientHeight);
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  // ---- talking to the API -----------------------------------------------------------------------

  function api(method, path, body) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () {
      controller.abort();
    }, REQUEST_TIMEOUT_MS);
    return fetch(config.api + path, {
      method: method,
      headers: headers(body),
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          error.retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
          throw error;
        }
        return response.status === 204 ? null : response.json();
      })
      .finally(function () {
        window.clearTimeout(timer);
      });
  }

  function headers(body) {
    var h = body ? { "Content-Type": "application/json" } : {};
    if (state.token) h["X-Conversation-Token"] = state.token;
    return h;
  }

  function conversationPath(tail) {
    return "/api/chat/conversations/" + encodeURIComponent(state.conversationId) + tail;
  }

  function messagesPath(after) {
    return conversationPath("/messages?after=" + after);
  }

  function forget() {
    state.conversationId = null;
    state.token = null;
    state.contact = null;
    state.ratings = {};
    save();
    endButton.hidden = true;
  }

  /**
   * A request the server may refuse as busy (429 rate limit, 503): it has then done nothing, so
   * wait as long as it asks (Retry-After, capped) and try again. A teacher who types fast, or a
   * school where many share one address, loses nothing.
   */
  function patiently(method, path, body, attempt) {
    return api(method, path, body).catch(function (error) {
      var busy = error.status === 429 || error.status === 503;
      if (!busy || (attempt || 0) >= BUSY_RETRIES) throw error;
      var seconds = error.retryAfter > 0 ? Math.min(error.retryAfter, MAX_RETRY_WAIT_S) : 2;
      return new Promise(function (resolve) {
        window.setTimeout(resolve, seconds * 1000);
      }).then(function () {
        return patiently(method, path, body, (attempt || 0) + 1);
      });
    });
  }

  function send(text, payload, retried) {
    text = text.trim().slice(0, MAX_TEXT);
    if (!text || (state.busy && !retried)) return Promise.resolve();
    var before = state.lastId;
    var body = { text: text, lang: state.lang };
    if (state.conversationId) body.conversation_id = state.conversationId;
    if (payload) body.payload = payload;
    var bubble = addLocal("user", text);
    setBusy(true);
    return patiently("POST", "/api/chat/messages", body)
      .then(function (reply) {
        state.conversationId = reply.conversation_id;
        if (reply.conversation_token) state.token = reply.conversation_token;
        save();
        // With an agent, something may have arrived between our message and the reply: re-read.
        // The message is stored by now: if the re-read fails, show the reply and let the poll
        // bring the rest (never "could not be sent" for a message the helpdesk has).
        if (reply.handoff) {
          return patiently("GET", messagesPath(before)).then(
            function (all) {
              merge(all.messages.concat(reply.messages));
              setHandoff(all.handoff, all);
            },
            function () {
              merge(reply.messages);
              setHandoff(true, reply);
            }
          );
        }
        merge(reply.messages);
        setHandoff(false, reply);
        return null;
      })
      .catch(function (error) {
        bubble.remove();
        if (error.status === 404 && state.conversationId && !retried) {
          forget(); // an erased or foreign conversation: this message starts a new one
          return send(text, payload, true);
        }
        if (!input.value) input.value = text;
        addLocal("system", t("failed"));
        return null;
      })
      .finally(function () {
        setBusy(false);
      });
  }

  function setBusy(busy) {
    state.busy = busy;
    showTyping(busy ? null : undefined);
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    sendButton.setAttribute("aria-disabled", String(busy));
    humanButton.setAttribute("aria-disabled", String(busy));
    if (busy) scrollToEnd();
  }

  /** Typing dots: the assistant's (name null), an agent's (their name), or none (undefined). */
  function showTyping(name) {
    typingInner.hidden = name === undefined;
    if (name) {
      typingText.setAttribute("data-l10n", "agentTyping");
      typingText.setAttribute("data-l10n-value", name);
    } else {
      typingText.setAttribute("data-l10n", "typing");
      typingText.removeAttribute("data-l10n-value");
    }
    applyLabel(typingText);
  }

  var pollTimer = null;

  /** With the helpdesk: poll for replies; the header says who joined, once someone has. */
  function setHandoff(on, reply) {
    var agent = on && reply ? reply.agent || null : null;
    state.handoff = on;
    handoffNote.hidden = !on;
    humanButton.hidden = on;
    endButton.hidden = !state.conversationId;
    if (agent) {
      handoffNote.setAttribute("data-l10n", "joined");
      handoffNote.setAttribute("data-l10n-value", agent);
    } else {
      handoffNote.setAttribute("data-l10n", "handoff");
      handoffNote.removeAttribute("data-l10n-value");
    }
    applyLabel(handoffNote);
    if (agent !== state.agent && agent) announce(t("joined", agent));
    state.agent = agent;
    if (!state.busy) showTyping(reply && reply.agent_typing && agent ? agent : undefined);
    if (on && !state.contact && contactForm.hidden && contactDone.hidden) offerContact();
    window.clearTimeout(pollTimer);
    if (on) pollTimer = window.setTimeout(poll, POLL_MS);
  }

  // ---- e-mail for teachers who leave, end chat and rating -----------------------------------------

  function offerContact() {
    contactForm.hidden = false;
    contactError.hidden = true;
    // The form takes room from the messages: keep the latest reply (open now or when we reply) in view.
    var replies = log.querySelectorAll(".msg--bot, .msg--system, .msg--agent");
    if (replies.length) reveal(replies[replies.length - 1]);
  }

  function showContactDone() {
    contactForm.hidden = true;
    contactDone.hidden = false;
    contactDone.setAttribute("data-l10n-value", state.contact);
    label(contactDone, "emailSaved");
  }

  contactForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var address = emailInput.value.trim();
    var valid = /^[^@\s]+@[^@\s]+\.[^@\s]{2,}$/.test(address) && consentBox.checked;
    contactError.hidden = valid;
    emailInput.setAttribute("aria-invalid", String(!valid));
    if (!valid) {
      (consentBox.checked ? emailInput : consentBox).focus();
      return;
    }
    contactSave.setAttribute("aria-disabled", "true");
    api("PUT", conversationPath("/contact?lang=" + state.lang), {
      email: address,
      consent: true,
      transcript: transcriptBox.checked,
      consent_version: CONSENT_VERSION,
    })
      .then(function (saved) {
        state.contact = saved.email;
        save();
        showContactDone();
        announce(t("emailSaved", saved.email));
        input.focus();
      })
      .catch(function () {
        contactError.hidden = false;
      })
      .finally(function () {
        contactSave.setAttribute("aria-disabled", "false");
      });
  });

  var typingSent = 0;

  /** While an agent has the chat, tell them (at most every few seconds) that the teacher types. */
  function pingTyping() {
    if (!state.handoff || !state.conversationId || Date.now() - typingSent < TYPING_PING_MS) return;
    typingSent = Date.now();
    api("POST", conversationPath("/typing")).catch(function () {
      /* only a hint */
    });
  }

  var ended = null; // {id, token} of the chat being rated, after "End chat" cleared it

  function endChat() {
    if (!state.conversationId) return;
    endButton.setAttribute("aria-disabled", "true");
    api("POST", conversationPath("/end"))
      .then(function () {
        ended = { id: state.conversationId, token: state.token };
        clearChat();
        ratingForm.hidden = false;
        commentInput.value = "";
        chosenRating = 0;
        scale.querySelectorAll(".star").forEach(function (b) {
          b.setAttribute("aria-pressed", "false");
        });
        ratingTitle.setAttribute("tabindex", "-1");
        ratingTitle.focus();
      })
      .catch(function () {
        announce(t("failed"));
      })
      .finally(function () {
        endButton.setAttribute("aria-disabled", "false");
      });
  }

  /** Remove the conversation from this device (shared school computers) and start afresh. */
  function clearChat() {
    window.clearTimeout(pollTimer);
    forget();
    seen.clear();
    state.lastId = 0;
    state.seenId = 0;
    state.agent = null;
    log.querySelectorAll(".msg").forEach(function (node) {
      node.remove();
    });
    contactForm.hidden = true;
    contactDone.hidden = true;
    emailInput.value = "";
    consentBox.checked = false;
    transcriptBox.checked = false;
    setHandoff(false);
    setUnread(0);
  }

  function finishRating(rating) {
    var chat = ended;
    ended = null;
    ratingForm.hidden = true;
    addLocal("system", t("rated"));
    announce(t("rated"));
    input.focus();
    if (!chat || !rating) return;
    var body = { rating: rating };
    if (commentInput.value.trim()) body.comment = commentInput.value.trim().slice(0, MAX_TEXT);
    fetch(config.api + "/api/chat/conversations/" + encodeURIComponent(chat.id) + "/rating", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Conversation-Token": chat.token },
      body: JSON.stringify(body),
      credentials: "omit",
    }).catch(function () {
      /* the rating is optional */
    });
  }

  ratingForm.addEventListener("submit", function (event) {
    event.preventDefault();
    finishRating(chosenRating);
  });
  skipButton.addEventListener("click", function () {
    finishRating(0);
  });
  endButton.addEventListener("click", endChat);

  function poll() {
    if (!state.conversationId) return;
    api("GET", messagesPath(state.lastId))
      .then(function (reply) {
        merge(reply.messages);
        setHandoff(reply.handoff, reply);
      })
      .catch(function () {
        setHandoff(state.handoff, { agent: state.agent }); // try again later
      });
  }

  function restore() {
    if (!state.conversationId) return;
    api("GET", messagesPath(0))
      .then(function (reply) {
        merge(reply.messages, true);
        setHandoff(reply.handoff, reply);
        endButton.hidden = false;
        if (state.contact) showContactDone();
        // Unread is kept by the server: replies that came while the teacher was away.
        if (panel.hidden) setUnread(reply.unread || 0);
        else markSeen();
      })
      .catch(function (error) {
        if (error.status === 404) {
          forget(); // the server no longer knows it (or the token): start afresh
        }
      });
  }

  // ---- opening, closing, keyboard ---------------------------------------------------------------

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    markSeen();
    scrollToEnd();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  // On a phone the panel covers the page: it behaves as a modal dialog and Tab cycles inside it.
  var fullScreen = window.matchMedia("(max-width: 480px)");

  function syncModal() {
    panel.setAttribute("aria-modal", String(fullScreen.matches));
  }

  function keepFocusInPanel(event) {
    var focusable = Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button, select, textarea, [tabindex='0']"),
      function (node) {
        return node.getClientRects().length > 0;
      }
    );
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var current = root.activeElement;
    if (event.shiftKey && current === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && current === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  root.addEventListener("keydown", function (event) {
    if (panel.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab" && fullScreen.matches) {
      keepFocusInPanel(event);
    }
  });
  languageSelect.addEventListener("change", function () {
    state.lang = languageSelect.value;
    save({ lang: state.lang });
    relabel();
  });
  humanButton.addEventListener("click", function () {
    send(t("human"), HUMAN_PAYLOAD);
    input.focus();
  });
  function submit() {
    if (state.busy || !input.value.trim()) return;
    var text = input.value;
    input.value = "";
    autosize();
    send(text);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", autosize);
  input.addEventListener("input", pingTyping);

  // ---- start: styles first, so nothing unstyled flashes on the host page -------------------------

  function mount() {
    root.appendChild(launcher);
    root.appendChild(panel);
    syncModal();
    fullScreen.addEventListener("change", syncModal);
    relabel();
    restore();
  }

  function start() {
    var link = el("link", "", { rel: "stylesheet", href: config.css });
    link.addEventListener("load", mount);
    link.addEventListener("error", mount);
    root.appendChild(link);
    document.body.appendChild(host);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
