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
