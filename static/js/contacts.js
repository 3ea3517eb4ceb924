// Contacts list: select every row, and confirm bulk actions naming how many contacts they touch.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) { return; }
    var form = all.closest("form");
    form.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm-selected]");
    if (!button) { return; }
    var count = button.form.querySelectorAll('input[name="ids"]:checked').length;
    if (count === 0) { return; }  // the server says to select some first
    var question = button.getAttribute("data-confirm-selected").replace("{n}", String(count));
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
