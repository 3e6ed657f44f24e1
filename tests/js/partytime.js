// Reads a feed on stdin with podcast-partytime (the Podcast Index's parser) and prints
// what it found as JSON: the tests' independent reading of the podcast namespace.
const { parseFeed } = require("podcast-partytime");
let xml = "";
process.stdin.on("data", (d) => (xml += d));
process.stdin.on("end", () => {
  const feed = parseFeed(xml, { allowMissingGuid: true });
  process.stdout.write(JSON.stringify(feed));
});
