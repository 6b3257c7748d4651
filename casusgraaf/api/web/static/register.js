// /casussen/nieuw: live autocomplete for the name fields from GET /api/vocabulaire/{soort}?q=.
// The page works without this script: the <datalist> elements are filled by the server.
(function () {
  "use strict";
  var timers = {};
  function refill(input) {
    var soort = input.getAttribute("data-soort");
    var list = document.getElementById(input.getAttribute("list"));
    if (!soort || !list) { return; }
    var q = input.value.trim();
    if (q.length < 2) { return; }
    fetch("/api/vocabulaire/" + encodeURIComponent(soort) + "?limit=30&q=" + encodeURIComponent(q),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.namen) { return; }
        while (list.firstChild) { list.removeChild(list.firstChild); }
        data.namen.forEach(function (naam) {
          var opt = document.createElement("option");
          opt.value = naam;
          list.appendChild(opt);
        });
      })
      .catch(function () { /* the server-filled list stays */ });
  }
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (!el || !el.getAttribute || !el.getAttribute("data-soort")) { return; }
    var key = el.id || el.name;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { refill(el); }, 150);
  });
}());
