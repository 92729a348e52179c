/* The ranked chart's area names select their area, as a click on the area's marker does (a user
   trial clicked the names and nothing happened). plotly draws axis labels as SVG text that takes
   no pointer events, so a click on the chart is matched to the label whose box holds it, and the
   area is set through the Area control (the page's one callback then answers as for any control).
   A reference row (the alliance, England) has no area code and selects nothing. */
(function () {
  var AREA_CONTROL = "control-area";

  function labelAt(graph, x, y) {
    var labels = graph.querySelectorAll(".ytick text");
    for (var i = 0; i < labels.length; i++) {
      var box = labels[i].getBoundingClientRect();
      if (x >= box.left - 4 && x <= box.right + 4 && y >= box.top - 2 && y <= box.bottom + 2) {
        return labels[i].textContent;
      }
    }
    return null;
  }

  function areaOf(graph, label) {
    var traces = graph.data || [];
    for (var t = 0; t < traces.length; t++) {
      var ys = traces[t].y || [];
      for (var i = 0; i < ys.length; i++) {
        var cells = traces[t].customdata && traces[t].customdata[i];
        if (ys[i] === label && cells && cells[0]) {
          return cells[0];
        }
      }
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    var graph = event.target.closest && event.target.closest("#ranked .js-plotly-plot");
    if (!graph || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    var label = labelAt(graph, event.clientX, event.clientY);
    var area = label && areaOf(graph, label);
    if (area) {
      window.dash_clientside.set_props(AREA_CONTROL, {value: area});
    }
  }, true);
})();
