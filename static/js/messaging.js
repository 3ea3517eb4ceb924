// Composer: a contact ticked in the search results moves to the picked list and stays there.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("#contact-results input[data-pick]")) { return; }
    var picked = document.getElementById("picked");
    if (box.checked && !picked.querySelector('input[value="' + box.value + '"]')) {
      var item = box.closest("li");
      box.removeAttribute("data-pick");
      picked.appendChild(item);
    }
  });
})();

// Repeat: show only the choices that go with the chosen repetition and end (all stay in the page
// without JavaScript).
(function () {
  "use strict";
  function sync() {
    var repeat = document.getElementById("id_repeat");
    if (!repeat) { return; }
    document.querySelectorAll("[data-repeat-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-repeat-for").split(" ").indexOf(repeat.value) === -1;
    });
    var end = document.getElementById("id_repeat_end");
    document.querySelectorAll("[data-end-for]").forEach(function (part) {
      part.hidden = !end || part.getAttribute("data-end-for") !== end.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_repeat" || event.target.id === "id_repeat_end") { sync(); }
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
