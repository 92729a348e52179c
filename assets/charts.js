/* The ranked chart's clicks, relayed to the store the page callback listens to
   (dashboard/web/callbacks/__init__.py). The charts are made when first shown, so the page
   callback cannot listen to them itself: their ids are patterns ({type: "chart-graph", name}),
   and this callback hears every chart's clicks and passes on the ranked chart's. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  charts: {
    rankedClick: function () {
      const context = window.dash_clientside.callback_context;
      const fired = (context.triggered || []).find(function (t) {
        return t.prop_id.indexOf('"name":"ranked"') !== -1 && t.value;
      });
      return fired ? fired.value : window.dash_clientside.no_update;
    },
  },
});
