(function () {
  var player = document.getElementById("player");
  if (!player) return;
  var lists = Array.prototype.slice.call(document.querySelectorAll("ol.marks")).map(function (ol) {
    return Array.prototype.slice.call(ol.querySelectorAll("button.seek"));
  });
  function seek(t) {
    player.currentTime = t;
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () {});
  }
  lists.forEach(function (marks) {
    marks.forEach(function (b) {
      b.addEventListener("click", function () { seek(parseFloat(b.getAttribute("data-start"))); });
    });
  });
  function mark() {
    var now = player.currentTime;
    lists.forEach(function (marks) {
      var current = null;
      marks.forEach(function (b) { if (parseFloat(b.getAttribute("data-start")) <= now + 0.01) current = b; });
      marks.forEach(function (b) { b.classList.toggle("current", b === current); });
    });
  }
  player.addEventListener("timeupdate", mark);
  player.addEventListener("seeked", mark);
  var at = /^#t=([0-9.]+)$/.exec(location.hash);
  if (at) {
    var t = parseFloat(at[1]);
    var go = function () { player.currentTime = t; mark(); };
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, {once: true});
    var cue = document.querySelector('button.cue[data-start="' + t.toFixed(3) + '"]');
    if (cue) cue.scrollIntoView({block: "center"});
  }
})();
