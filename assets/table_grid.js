/* The data table's grid, made in the browser from the properties the server sends
   (dashboard/web/grid.py). dash-ag-grid's code (324 KB compressed) is not part of the page:
   it is fetched the first time the table is shown, and the grid is made once it has run. */
(function () {
  var loading = null;

  function prefix() {
    return window.CancerVariationLinks.prefix();  // assets/app_links.js
  }

  function loadGrid() {
    if (window.dash_ag_grid) {
      return Promise.resolve();
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = prefix() + "_dash-component-suites/dash_ag_grid/dash_ag_grid.min.js";
        script.onload = resolve;
        script.onerror = function () { loading = null; reject(new Error("the table's code did not load")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tableGrid: {
      made: function (props) {
        if (!props) {
          return window.dash_clientside.no_update;
        }
        return loadGrid().then(function () {
          return {namespace: "dash_ag_grid", type: "AgGrid", props: props};
        }, function () {
          /* Said on the page, not only in the console (an adversarial check saw an empty panel);
             the next change, or choosing the table again, tries once more. */
          return {namespace: "dash_html_components", type: "P", props: {
            className: "notice", role: "alert",
            children: "The table's code could not be loaded from the server. Choose another view and the table again to retry; Download CSV still gives its rows.",
          }};
        });
      },
    },
  });
})();
