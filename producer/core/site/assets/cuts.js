// The report page's cut review: each row plays two seconds around its cut from the
// episode's own MP3, as it is and (for a suggestion) as it would be, by seeking the
// player past the cut; ticked suggestions give the [[cuts]] text for episode.toml.
(function () {
  var player = document.getElementById("cut-player");
  if (!player) return;
  var stopAt = null, skip = null;
  player.addEventListener("timeupdate", function () {
    if (skip && player.currentTime >= skip[0] && player.currentTime < skip[1]) player.currentTime = skip[1];
    if (stopAt !== null && player.currentTime >= stopAt) { player.pause(); stopAt = null; skip = null; }
  });
  function play(from, to, jump) {
    skip = jump; stopAt = to;
    player.currentTime = Math.max(0, from);
    player.play();
  }
  document.querySelectorAll("button[data-play]").forEach(function (b) {
    b.addEventListener("click", function () {
      var at = parseFloat(b.dataset.at), len = parseFloat(b.dataset.len);
      if (b.dataset.play === "as-is") play(at - 1, at + len + 1, null);
      else play(at - 1, at + len + 1, [at, at + len]);
    });
  });
  // an applied cut as it was: its stretch of the clips file beside the page (cuts-as-they-were.mp3)
  var clips = document.getElementById("cut-clips"), clipStop = null;
  if (clips) clips.addEventListener("timeupdate", function () {
    if (clipStop !== null && clips.currentTime >= clipStop) { clips.pause(); clipStop = null; }
  });
  document.querySelectorAll("button[data-clip-at]").forEach(function (b) {
    b.addEventListener("click", function () {
      player.pause();
      clipStop = parseFloat(b.dataset.clipAt) + parseFloat(b.dataset.clipLen);
      clips.currentTime = parseFloat(b.dataset.clipAt);
      clips.play();
    });
  });
  var out = document.getElementById("cuts-text");
  function update() {
    var text = "";
    document.querySelectorAll("input[data-cut]").forEach(function (box) {
      if (box.checked) text += "[[cuts]]\nstart = \"" + box.dataset.start + "\"\nend = \"" + box.dataset.end +
        "\"\nreason = \"" + box.dataset.reason + "\"\n\n";
    });
    out.value = text;
  }
  document.querySelectorAll("input[data-cut]").forEach(function (box) { box.addEventListener("change", update); });
})();
