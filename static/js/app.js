// Small progressive enhancements; the portal works without them.
(function () {
  "use strict";

  // Ask before destructive actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Dismiss flash messages.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".flash-close");
    if (button) {
      button.closest("li").remove();
    }
  });

  // One submit per form: a double-click sends the form once. The guard lifts after a few
  // seconds and when the page is shown again, so a form that answered with a download (the page
  // stays) or was left with the back button can be used again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post")) { return; }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { delete form.dataset.submitted; }, 3000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
    });
  });
})();

// Fill a password field with a strong random password: <button data-generate-password="field-id">.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-generate-password]");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-generate-password"));
  var alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  var bytes = new Uint32Array(16);
  window.crypto.getRandomValues(bytes);
  field.value = Array.prototype.map.call(bytes, function (b) { return alphabet[b % alphabet.length]; }).join("");
  field.focus();
});
