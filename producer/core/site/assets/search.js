(function () {
  var box = document.getElementById("search"), hits = document.getElementById("hits");
  if (!box || !window.fetch) return;
  fetch("search.json").then(function (r) { return r.ok ? r.json() : null; }).then(function (index) {
    if (!index || !index.episodes.length) return;
    box.closest("section").hidden = false;
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      hits.textContent = "";
      if (q.length < 2) return;
      var shown = 0;
      index.episodes.forEach(function (ep) {
        ep.cues.forEach(function (c) {
          if (shown >= 50 || c[2].toLowerCase().indexOf(q) < 0) return;
          shown += 1;
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = ep.page + "#t=" + c[0].toFixed(3);
          a.className = "hit";
          a.textContent = ep.title + " · " + new Date(c[0] * 1000).toISOString().substr(11, 8) + " · " +
            (c[1] ? c[1] + ": " : "") + c[2];
          li.appendChild(a);
          hits.appendChild(li);
        });
      });
    });
  }).catch(function () {});
})();
