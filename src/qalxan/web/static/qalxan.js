// Progressive enhancement: live results under a search form marked data-live-search.
// Pages work without JavaScript; this only saves a round trip while typing.
(function () {
  "use strict";
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var input = form.querySelector("input[type=search]");
    var target = form.querySelector(".live-results");
    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        var mine = ++seq;
        if (!q) { target.innerHTML = ""; return; }
        fetch(form.action + "?partial=1&q=" + encodeURIComponent(q), { headers: { Accept: "text/html" } })
          .then(function (r) { return r.text(); })
          .then(function (html) { if (mine === seq) { target.innerHTML = html; } });
      }, 150);
    });
  });
})();
