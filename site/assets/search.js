// huzhu member site search: matches what is typed as a substring of the
// names and codes in window.HZ_INDEX, so two Chinese characters find an
// operator. The index (assets/search-index.js, the script's data-index) is
// loaded when the box is first used: at national scale it is larger than
// the page. No library, no network beyond the site's own folder.
(function () {
  "use strict";
  var me = document.currentScript;
  var q = document.getElementById("q");
  var out = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!q || !out) return;
  var fold = function (s) { return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, ""); };
  var rows = null, loading = false;
  var run = function () {
    var term = fold(q.value);
    out.textContent = "";
    if (!rows) { if (term) load(); return; }
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
  var ready = function () {
    rows = (window.HZ_INDEX || []).map(function (e) { return {e: e, key: fold(e[0] + " " + e[1] + " " + e[3])}; });
    status.textContent = "";
    run();
  };
  var load = function () {
    if (rows || loading) return;
    if (window.HZ_INDEX) { ready(); return; }
    loading = true;
    status.textContent = "正在载入搜索索引……";
    var s = document.createElement("script");
    s.src = me.getAttribute("data-index");
    s.onload = ready;
    s.onerror = function () { loading = false; status.textContent = "搜索索引载入失败，请按省份、统筹地区浏览。"; };
    document.head.appendChild(s);
  };
  q.addEventListener("focus", load);
  q.addEventListener("input", run);
  run();
})();
