// huzhu member site search: matches what is typed as a substring of the
// names and codes in window.HZ_INDEX (assets/search-index.js), so two
// Chinese characters find an operator. No library, no network.
(function () {
  "use strict";
  var index = window.HZ_INDEX || [];
  var q = document.getElementById("q");
  var out = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!q || !out) return;
  var fold = function (s) { return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, ""); };
  var rows = index.map(function (e) { return {e: e, key: fold(e[0] + " " + e[1] + " " + e[3])}; });
  var run = function () {
    var term = fold(q.value);
    out.textContent = "";
    if (!term) { status.textContent = ""; return; }
    var hits = rows.filter(function (r) { return r.key.indexOf(term) >= 0; });
    status.textContent = "找到 " + hits.length + " 项" + (hits.length > 50 ? "，显示前 50 项" : "");
    hits.slice(0, 50).forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.e[2];
      a.textContent = r.e[0];
      li.appendChild(a);
      var s = document.createElement("span");
      s.className = "muted";
      s.textContent = " " + r.e[4] + (r.e[3] ? " · " + r.e[3] : "");
      li.appendChild(s);
      out.appendChild(li);
    });
  };
  q.addEventListener("input", run);
  run();
})();
