/* The first map's boundaries are requested with the page (its <link rel="preload"
   data-plotly-geojson / data-plotly-topojson>, dashboard/web/serving.py). Handed to plotly.js
   here, in the cache it reads before fetching (window.PlotlyGeoAssets: GeoJSON by the URL the
   figure names, topojson by name), the map is drawn as soon as it is mounted rather than when
   plotly.js's own requests come back. If plotly.js gets there first it fetches them itself. */
(function () {
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
  assets.topojson = assets.topojson || {};
  function load(link, keep) {
    fetch(link.href, {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { keep(data); } })
      .catch(function () { /* plotly.js fetches it itself, and reports any failure */ });
  }
  document.querySelectorAll("link[data-plotly-geojson]").forEach(function (link) {
    var url = link.getAttribute("href");
    load(link, function (data) { if (typeof assets[url] !== "object") { assets[url] = data; } });
  });
  document.querySelectorAll("link[data-plotly-topojson]").forEach(function (link) {
    var name = link.getAttribute("data-plotly-topojson");
    load(link, function (data) { if (assets.topojson[name] === undefined) { assets.topojson[name] = data; } });
  });
})();
