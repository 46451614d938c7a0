/* KB search and rules checker panels. They call the assistant's own public APIs
   (/api/search, /api/faq/{id}, /api/rules), so agents answer with the same facts. */
(function () {
  "use strict";
  var C = window.NsoConsole;

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function sourceItem(source) {
    var li = document.createElement("li");
    var label = source.title + (source.date ? " (" + source.date + ")" : "") + (source.section ? ", " + source.section : "");
    var url = safeUrl(source.url);
    if (url) {
      var a = document.createElement("a");
      a.href = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = label;
      li.appendChild(a);
    } else {
      li.textContent = label;
    }
    return li;
  }

  function kbPanel(panel) {
    var form = panel.querySelector("[data-kb-form]");
    var hits = panel.querySelector("[data-kb-hits]");
    var status = panel.querySelector("[data-kb-status]");
    var article = panel.querySelector("[data-kb-answer]");
    var hitTemplate = panel.querySelector("template[data-kb-hit]");
    var none = panel.querySelector("[data-kb-none]");
    var failed = panel.querySelector("[data-kb-error]");
    var current = null;

    function open(faqId, lang) {
      C.api("GET", "/api/faq/" + encodeURIComponent(faqId) + "?lang=" + encodeURIComponent(lang))
        .then(function (answer) {
          current = answer;
          C.fill(article, { question: answer.question, faq_id: answer.faq_id, lang: answer.lang, answer: answer.answer });
          var notes = article.querySelector('[data-slot="notes"]');
          notes.replaceChildren();
          answer.notes.forEach(function (note) {
            var li = document.createElement("li");
            li.textContent = note;
            notes.appendChild(li);
          });
          var sources = article.querySelector('[data-slot="sources"]');
          sources.replaceChildren.apply(sources, answer.sources.map(sourceItem));
          article.hidden = false;
        })
        .catch(function () {
          failed.hidden = false;
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = form.elements.q.value.trim();
      if (!q) return;
      var lang = form.elements.lang.value;
      none.hidden = failed.hidden = article.hidden = true;
      hits.replaceChildren();
      var url = "/api/search?k=5&q=" + encodeURIComponent(q) + (lang ? "&lang=" + encodeURIComponent(lang) : "");
      C.api("GET", url)
        .then(function (result) {
          status.textContent = C.plural("kb_found", result.hits.length, { lang: result.lang });
          none.hidden = result.hits.length > 0;
          result.hits.forEach(function (hit) {
            var li = C.clone(hitTemplate);
            C.fill(li, { question: hit.question, faq_id: hit.faq_id, confidence: hit.confidence.toFixed(2) });
            li.querySelector("button").addEventListener("click", function () {
              open(hit.faq_id, result.lang);
            });
            hits.appendChild(li);
          });
        })
        .catch(function () {
          failed.hidden = false;
        });
    });

    var insert = panel.querySelector("[data-kb-insert]");
    var targetId = panel.getAttribute("data-insert-into");
    if (insert && targetId) {
      insert.addEventListener("click", function () {
        var target = document.getElementById(targetId);
        if (!current || !target) return;
        // The notes say where the sources disagree: a reply built from the answer keeps them.
        var notes = current.notes.length ? "\n\n" + current.notes.map(function (n) { return "- " + n; }).join("\n") : "";
        var source = current.sources[0];
        var cite = source ? "\n\n" + source.title + (safeUrl(source.url) ? " " + source.url : "") : "";
        target.value = (target.value ? target.value + "\n\n" : "") + current.answer + notes + cite;
        target.focus();
      });
    }
  }

  /** A rule's text ({en, nl, sl}) in the console's language, else English. */
  function inLanguage(texts) {
    return (texts && (texts[C.lang] || texts.en)) || "";
  }

  function rulesPanel(panel) {
    var form = panel.querySelector("[data-rules-form]");
    var select = panel.querySelector("[data-rules-select]");
    var fieldset = panel.querySelector("[data-rules-inputs]");
    var verdict = panel.querySelector("[data-rules-verdict]");
    var error = panel.querySelector("[data-rules-error]");
    var inputTemplate = panel.querySelector("template[data-rules-input]");
    var boolTemplate = panel.querySelector("template[data-rules-bool]");
    var rules = {};

    function control(spec) {
      var id = "rule-input-" + spec.name;
      var node;
      if (spec.type === "bool") {
        node = C.clone(boolTemplate);
      } else if (spec.type === "choice" || spec.type === "choice_list") {
        node = document.createElement("select");
        if (spec.type === "choice_list") node.multiple = true;
        else node.appendChild(new Option("", ""));
        spec.choices.forEach(function (choice) {
          node.appendChild(new Option(choice, choice));
        });
      } else {
        node = document.createElement("input");
        node.type = spec.type === "date" ? "date" : spec.type === "int" || spec.type === "number" ? "number" : "text";
        if (spec.type === "number") node.step = "any";
        node.placeholder = spec.example;
      }
      node.id = id;
      node.name = spec.name;
      return node;
    }

    function renderInputs() {
      var rule = rules[select.value];
      fieldset.querySelectorAll(".field").forEach(function (n) {
        n.remove();
      });
      verdict.hidden = error.hidden = true;
      if (!rule) return;
      rule.inputs.forEach(function (spec) {
        var field = C.clone(inputTemplate);
        C.fill(field, {
          label: inLanguage(spec.prompt),
          hint: C.t("rules_hint", { example: spec.example, type: C.label("input_type", spec.type) }),
        });
        var node = control(spec);
        field.querySelector("label").setAttribute("for", node.id);
        field.insertBefore(node, field.querySelector("[data-slot=hint]"));
        fieldset.appendChild(field);
      });
    }

    C.api("GET", "/api/rules")
      .then(function (list) {
        select.replaceChildren(new Option(C.t("rules_choose"), ""));
        list.forEach(function (rule) {
          rules[rule.name] = rule;
          select.appendChild(new Option(inLanguage(rule.title), rule.name));
        });
      })
      .catch(function () {
        error.hidden = false;
      });
    select.addEventListener("change", renderInputs);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var rule = rules[select.value];
      if (!rule) return;
      var inputs = {};
      rule.inputs.forEach(function (spec) {
        var node = form.elements[spec.name];
        var value = node.multiple
          ? Array.prototype.filter
              .call(node.options, function (o) {
                return o.selected;
              })
              .map(function (o) {
                return o.value;
              })
              .join(", ")
          : node.value.trim();
        if (value !== "") inputs[spec.name] = value;
      });
      verdict.hidden = error.hidden = true;
      C.api("POST", "/api/rules/" + encodeURIComponent(rule.name), { inputs: inputs, lang: form.elements.lang.value })
        .then(function (result) {
          C.fill(verdict, {
            verdict: C.label("verdict", result.verdict),
            explanation: result.explanation,
            missing: result.missing.join(", "),
            as_of: result.as_of,
          });
          C.show(verdict, "missing", result.missing.length > 0);
          var reasons = verdict.querySelector('[data-slot="reasons"]');
          reasons.replaceChildren();
          result.reasons.forEach(function (reason) {
            var li = document.createElement("li");
            li.textContent = reason.text + " — " + reason.source.title + " (" + reason.source.entry + ")";
            reasons.appendChild(li);
          });
          verdict.hidden = false;
        })
        .catch(function (failure) {
          C.fill(error, { detail: (failure.body && failure.body.detail) || failure.message });
          error.hidden = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kb-panel]").forEach(kbPanel);
    document.querySelectorAll("[data-rules-panel]").forEach(rulesPanel);
  });
})();
