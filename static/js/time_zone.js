// The browser's time zone for a new workspace (no inline script: the CSP forbids it).
// <input data-browser-time-zone> gets the zone's name; <select data-browser-time-zone> selects it
// when it is listed, and the select named by its data-country-select follows the chosen zone's
// data-country until the person picks a country themselves.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }

  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    input.value = zone;
  });

  document.querySelectorAll("select[data-browser-time-zone]").forEach(function (select) {
    var country = document.getElementById(select.getAttribute("data-country-select") || "");
    var countryPicked = false;
    if (country) {
      country.addEventListener("change", function () { countryPicked = true; });
    }
    function followZone() {
      var option = select.options[select.selectedIndex];
      var code = option ? option.getAttribute("data-country") : null;
      if (country && code && !countryPicked) { country.value = code; }
    }
    var listed = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (listed) {
      select.value = zone;
      followZone();
    }
    select.addEventListener("change", followZone);
  });
})();
