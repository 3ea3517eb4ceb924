// The live SMS counter (characters, encoding, parts, credits) under every box where a text is
// written: <textarea data-sms-counter>. The counting is the server's (messaging:counter, the same
// GSM 03.38 rules as sending), asked as you type; the answer replaces the box's counter.
(function () {
  "use strict";
  var timers = new WeakMap();
  var asked = new WeakMap(); // the latest question per box: an older answer arriving late is dropped

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function counterOf(box) {
    var existing = document.querySelector('[data-counter-for="' + box.id + '"]');
    if (existing) { return existing; }
    var counter = document.createElement("div");
    counter.className = "counter";
    counter.setAttribute("data-counter-for", box.id);
    var after = box.nextElementSibling && box.nextElementSibling.tagName === "SMALL" ? box.nextElementSibling : box;
    after.insertAdjacentElement("afterend", counter);
    return counter;
  }

  // The composer's "Track links": the text is counted with short links in place of its URLs.
  function tracked(box) {
    var option = box.form && box.form.querySelector('input[name="track_links"]');
    return Boolean(option && option.checked);
  }

  // "This is a marketing message": the text is counted with the opt-out instruction after it,
  // and the sender ID goes along, so the counter can say when STOP cannot be answered.
  function marketing(box) {
    var option = box.form && box.form.querySelector('input[name="marketing"]');
    if (!option || !option.checked) { return ""; }
    var source = box.form.querySelector('input[name="source"]');
    return "&marketing=on&source=" + encodeURIComponent(source ? source.value : "");
  }

  function update(box) {
    var url = document.body.getAttribute("data-counter-url");
    if (!url || !box.id) { return; }
    var old = counterOf(box);
    var question = (asked.get(box) || 0) + 1;
    asked.set(box, question);
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: "body=" + encodeURIComponent(box.value) + (tracked(box) ? "&track_links=on" : "") +
        marketing(box)
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null || asked.get(box) !== question) { return; }
      var holder = document.createElement("template");
      holder.innerHTML = html.trim();
      var fresh = holder.content.firstElementChild;
      fresh.setAttribute("data-counter-for", box.id);
      fresh.id = old.id || box.id + "-counter";
      counterOf(box).replaceWith(fresh);
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-sms-counter]")) { return; }
    window.clearTimeout(timers.get(box));
    timers.set(box, window.setTimeout(function () { update(box); }, 150));
  });
  // A box whose text changes from elsewhere (a template put in the composer) fires "change".
  document.addEventListener("change", function (event) {
    var option = 'input[name="track_links"], input[name="marketing"], input[name="source"]';
    if (event.target.matches && event.target.matches(option) && event.target.form) {
      event.target.form.querySelectorAll("textarea[data-sms-counter]").forEach(update);
    }
    if (event.target.matches && event.target.matches("textarea[data-sms-counter]")) { update(event.target); }
  });
  // "Send from <the workspace's virtual number>" under a marketing text from a sender ID that
  // cannot receive replies: the number becomes the sender ID, and the counter is asked again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-sender]");
    if (!button || !button.form) { return; }
    var source = button.form.querySelector('input[name="source"]');
    if (!source) { return; }
    source.value = button.getAttribute("data-use-sender");
    source.dispatchEvent(new Event("change", { bubbles: true }));
    source.focus();
  });
  function start(root) {
    root.querySelectorAll("textarea[data-sms-counter]").forEach(function (box) {
      if (!document.querySelector('[data-counter-for="' + box.id + '"]')) { update(box); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:afterSettle", function (event) { start(event.target); });
})();
