/* What the page's scripts share about links (loaded first: Dash adds assets in name order, and
   each script calls these only when it acts, never as it loads).
   - prefix(): the app's path on its server (Dash's requests_pathname_prefix), "/" by default;
   - viewOf(search): a link's query less `present`, the view it shows ("" for the first view). */
(function () {
  window.CancerVariationLinks = {
    prefix: function () {
      try {
        return JSON.parse(document.getElementById("_dash-config").textContent).requests_pathname_prefix || "/";
      } catch (error) {
        return "/";
      }
    },
    viewOf: function (search) {
      var params = new URLSearchParams(search || "");
      params.delete("present");
      var text = params.toString();
      return text ? "?" + text : "";
    },
  };
})();
