// Progressive enhancement only: every page works without this file.
// After HTMX replaces a list's results, tell screen-reader users how many hits there are now.
document.addEventListener("htmx:afterSwap", function (event) {
  var count = event.detail.target && document.getElementById("result-count");
  var live = document.getElementById("live-region");
  if (count && live) {
    live.textContent = count.textContent.replace(/\s+/g, " ").trim();
  }
});
