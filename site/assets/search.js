// huzhu member site search. What is typed is folded (NFKC, lower case, no
// spaces, traditional characters to simplified, so that 退休职工 finds an
// activity named 退休職工住院互助) and split at spaces; an entry matches when
// every part is a substring of its name, code, context or places (the
// names of its region, prefecture and province: 杭州 finds the operators
// there). A query of four or more characters without spaces that matches
// nothing is tried again as pairs of characters (深圳意外 → 深圳 意外).
// The index (assets/search-index.js, the script's data-index) is loaded
// when the box is first used: at national scale it is larger than the
// page. No library, no network beyond the site's own folder.
(function () {
  "use strict";
  var me = document.currentScript;
  var q = document.getElementById("q");
  var out = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!q || !out) return;
  // Traditional characters of names and their simplified forms, one to one.
  var TRAD = "亞來倉個們備傳債傷僑價億償優兌兒兩凱別劃動務勞勵匯區協參員問啞單嚴國園圖團報場塊墜壓壩壯婦學實寧審寫將對導屬島嶺師帶幣幫庫廈廠廣廬廳張強後從愛應懷戶揚撫擊據數斷時書會東條業極榮構樂機檢歲歷殘殤氣況淨測準溫滄滬漁漢漲潁潔澤濕濟濰濱瀋瀘灣災為烏無燒燙營爾獎獨現璦瓊產畢當痠瘋瘓瘡瘧療癢癥癱發監盤眾碼礙礦禍禪稅種積穩窮範簽籌粵紀約納紐級紡紹組結給統綏經綜綫維網綿線縣總織繳續義聯職聽聾腎腦腫腸膽臟臨臺與興舊莊華萬蕪蕭薩藝藥蘇蘭處號術衛衝裏補規視親計訊訥許診該認說調請論證識議護譽讀豐負貢貧責貴買貸費貼貿資賠賣購贛車軍輸辦農這連進運過達遞遼還邊郵鄉鄒鄖鄭鄰鄲醫銀銅銷鋼錄錢錦錫鎮鏈鐘鐵長門開間閩關陝陰陽隊際險隴雙雞離難雲電頁項順預領頭頸題額類養餘館饒體魯鳳鶴鹽麗黃點黨齊齒齡龍";
  var SIMP = "亚来仓个们备传债伤侨价亿偿优兑儿两凯别划动务劳励汇区协参员问哑单严国园图团报场块坠压坝壮妇学实宁审写将对导属岛岭师带币帮库厦厂广庐厅张强后从爱应怀户扬抚击据数断时书会东条业极荣构乐机检岁历残殇气况净测准温沧沪渔汉涨颍洁泽湿济潍滨沈泸湾灾为乌无烧烫营尔奖独现瑷琼产毕当酸疯痪疮疟疗痒症瘫发监盘众码碍矿祸禅税种积稳穷范签筹粤纪约纳纽级纺绍组结给统绥经综线维网绵线县总织缴续义联职听聋肾脑肿肠胆脏临台与兴旧庄华万芜萧萨艺药苏兰处号术卫冲里补规视亲计讯讷许诊该认说调请论证识议护誉读丰负贡贫责贵买贷费贴贸资赔卖购赣车军输办农这连进运过达递辽还边邮乡邹郧郑邻郸医银铜销钢录钱锦锡镇链钟铁长门开间闽关陕阴阳队际险陇双鸡离难云电页项顺预领头颈题额类养余馆饶体鲁凤鹤盐丽黄点党齐齿龄龙";
  var ts = {};
  for (var i = 0; i < TRAD.length; i++) ts[TRAD.charAt(i)] = SIMP.charAt(i);
  var fold = function (s) {
    var t = String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, "");
    return t.replace(/[^\x00-\x7f]/g, function (c) { return ts[c] || c; });
  };
  var terms = function (s) {
    return String(s).split(/\s+/).map(fold).filter(function (t) { return t; });
  };
  var pairs = function (t) {
    var p = [];
    for (var i = 0; i < t.length; i += 2) p.push(t.slice(i, i + 2));
    return p;
  };
  var rows = null, loading = false;
  var find = function (ts) {
    return rows.filter(function (r) {
      return ts.every(function (t) { return r.key.indexOf(t) >= 0; });
    });
  };
  var run = function () {
    var ts = terms(q.value);
    out.textContent = "";
    if (!rows) { if (ts.length) load(); return; }
    if (!ts.length) { status.textContent = ""; return; }
    var hits = find(ts);
    if (!hits.length && ts.length === 1 && ts[0].length >= 4) hits = find(pairs(ts[0]));
    status.textContent = "找到 " + hits.length + " 项" + (hits.length > 50 ? "，显示前 50 项" : "") +
      // Pinyin finds nothing: the index holds the names in characters.
      (!hits.length && /^[a-z\s]+$/i.test(q.value.trim()) ? "。请输入汉字，如“广州”“住院”，暂不支持拼音。" : "");
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
    rows = (window.HZ_INDEX || []).map(function (e) {
      return {e: e, key: fold(e[0] + " " + e[1] + " " + e[3] + " " + (e[5] || ""))};
    });
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
