/* Pictures of the map and of the chart shown, for slides and board papers, that keep their
   meaning out of the page (docs/presentation.md): 1920x1080, PNG or SVG, made in this browser by
   plotly.js (nothing is sent anywhere). Each carries, in the image itself:
   - a title: what is shown (the indicator, unit, cancer type and period), MODELLED first when
     the view holds modelled figures;
   - the headline sentence (the area, its value and its comparison);
   - the legend: the colour bar is the figure's own; a map coloured by comparison gets its key;
   - the caveats line (interval, benchmark, source, modelled, withheld small numbers);
   - the permalink, to open this very view.
   The file is named in words: "Map - Diagnosed at stage 1 or 2 (%), Lung, 2022.png". */
(function () {
  var WIDTH = 1920;
  var HEIGHT = 1080;
  var TOP = 190;
  var BOTTOM = 170;

  function text(selector) {
    var node = document.querySelector(selector);
    return node ? node.textContent.trim() : "";
  }

  function escaped(value) {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function wrapped(value, width) {
    var lines = [];
    var line = "";
    value.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines.map(escaped).join("<br>");
  }

  function permalink() {
    return window.location.origin + window.location.pathname + window.CancerVariationLinks.viewOf(window.location.search);  // assets/app_links.js
  }

  function what() {
    /* The map's caption opens with "Indicator (unit), cancer, period:". */
    return text("#map-caption").split(":")[0];
  }

  function legendLine() {
    var items = document.querySelectorAll("#map-legend li");
    var parts = [];
    items.forEach(function (item) {
      var swatch = item.querySelector(".swatch");
      var colour = swatch ? swatch.style.background || swatch.style.backgroundColor : "#231F20";
      parts.push("<span style='color:" + colour + "'>■</span> " + escaped(item.textContent.trim()));
    });
    return parts.join("    ");
  }

  /* The ranked chart's marker shapes (figures/theme.py COMPARISON_SYMBOLS), named in the picture
     as the page's Help names them: the shape, not only the colour, carries the comparison. */
  var SHAPES = "Markers: ▲ significantly better · ● similar · ▼ significantly worse · △ higher · ▽ lower · ○ not compared (with the benchmark)";

  function larger(font, size) {
    var copy = Object.assign({}, font || {});
    copy.size = Math.max(size, copy.size || 0);
    return copy;
  }

  function stamped(graph, kind) {
    var data = JSON.parse(JSON.stringify(graph.data));
    var layout = JSON.parse(JSON.stringify(graph.layout));
    var modelled = !document.getElementById("modelled-badge").hidden;
    var title = (modelled ? "MODELLED · " : "") + (kind === "map" ? "Map: " : text(".charts .panel:not([hidden]) h3") + ": ") + what();
    var legend = kind === "map" ? legendLine() : (graph.closest("#panel-ranked") ? SHAPES : "");
    layout.width = WIDTH;
    layout.height = HEIGHT;
    layout.font = larger(layout.font, 20);
    Object.keys(layout).forEach(function (key) {
      if (/^[xy]axis/.test(key) && layout[key]) {
        layout[key].tickfont = larger(layout[key].tickfont, 18);
      }
    });
    var margin = layout.margin || {};
    layout.margin = {l: Math.max(margin.l || 0, 40), r: Math.max(margin.r || 0, 40), t: (margin.t || 0) + TOP, b: (margin.b || 0) + BOTTOM + (legend ? 30 : 0)};
    layout.annotations = (layout.annotations || []).map(function (note) {
      return Object.assign({}, note, {font: larger(note.font, 18)});
    });
    layout.title = {
      text: "<b>" + wrapped(title, 110) + "</b><br><span style='font-size:20px'>" + wrapped(text("#headline"), 150) + "</span>",
      x: 0.02, xanchor: "left", xref: "container", y: 0.96, yanchor: "top", yref: "container",
      font: {size: 28, color: "#231F20"},
    };
    var footer = (legend ? legend + "<br>" : "") + wrapped(text("#caveats"), 170) + "<br>Permalink: " + escaped(permalink());
    layout.annotations = layout.annotations.concat([{
      text: footer, showarrow: false, align: "left", xref: "paper", yref: "paper", x: 0, y: 0,
      xanchor: "left", yanchor: "top", yshift: -((margin.b || 0) + 60),  // below the axis labels, in the margin added for it
      font: {size: 19, color: "#231F20"},
    }]);
    layout.paper_bgcolor = "#FFFFFF";
    return {data: data, layout: layout, config: {topojsonURL: (graph._context || {}).topojsonURL}};
  }

  function fileName(kind, format) {
    var name = (kind === "map" ? "Map" : text(".charts .panel:not([hidden]) h3").split(":")[0].split(",")[0]) + " - " + what();
    return name.replace(/[\\/:*?"<>|]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 150) + "." + format;
  }

  function graphOf(kind) {
    return kind === "map"
      ? document.querySelector("#map .js-plotly-plot")
      : document.querySelector(".charts .panel:not([hidden]) .js-plotly-plot");
  }

  function save(kind, format, button) {
    var graph = graphOf(kind);
    var status = document.getElementById("image-status");
    if (!graph || !window.Plotly) {
      if (status) {
        status.textContent = kind === "map" ? "The map is not drawn yet." : "This chart has no picture (the table is saved with Download CSV).";
      }
      return;
    }
    button.disabled = true;
    if (status) {
      status.textContent = "Making the " + format.toUpperCase() + "…";
    }
    window.Plotly.toImage(stamped(graph, kind), {format: format, width: WIDTH, height: HEIGHT}).then(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.download = fileName(kind, format);
      document.body.appendChild(link);
      link.click();
      link.remove();
      if (status) {
        status.textContent = "Saved " + link.download + ".";
      }
    }).catch(function (error) {
      if (status) {
        status.textContent = "The picture could not be made: " + error;
      }
    }).finally(function () {
      button.disabled = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-image]");
    if (button) {
      var parts = button.getAttribute("data-image").split(" ");
      save(parts[0], parts[1], button);
    }
  });
})();
