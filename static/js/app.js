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

// The sidebar under 768 px: the menu button opens and closes it (Escape closes it too). Without
// JavaScript the button is a link to #sidebar, which the stylesheet shows as :target.
(function () {
  "use strict";
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("nav-open", open);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-nav-toggle]");
    if (button) {
      event.preventDefault();
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-nav-toggle]");
    if (toggle && event.key === " ") {  // a link acting as a button answers Space too
      event.preventDefault();
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    var button = document.querySelector("[data-nav-toggle][aria-expanded=true]");
    if (event.key === "Escape" && button) { setOpen(button, false); button.focus(); }
  });
})();

// Appearance: automatic (the device's setting), light or dark, remembered in a cookie for a year.
// The server reads the cookie to render <html data-theme>; charts redraw on "themechange".
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-theme-choice]")) { return; }
    var value = input.value;
    var age = value ? 365 * 24 * 3600 : 0;
    document.cookie = "theme=" + value + "; path=/; max-age=" + age + "; SameSite=Lax";
    if (value) {
      document.documentElement.setAttribute("data-theme", value);
    } else {
      document.documentElement.removeAttribute("data-theme");
    }
    document.querySelectorAll("[data-theme-choice][value='" + value + "']").forEach(function (other) {
      other.checked = true;
    });
    document.dispatchEvent(new CustomEvent("themechange"));
  });
})();

// A box that scrolls sideways (a wide table in its card) can be scrolled with the keyboard: it
// gets into the tab order when, and only when, it has something to scroll.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-wrap, figure, pre, .scrolls").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var style = window.getComputedStyle(box);
      var can = /(auto|scroll)/.test(style.overflowX + style.overflowY);
      if (scrolls && can && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!(scrolls && can) && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
