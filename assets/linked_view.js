/* A link to a view other than the first one: until the server's first answer arrives, the page
   would show the first view (the layout holds it, to draw the common case at once) under the
   link's address. Hide the page's controls and cards until then (style.css, .linked-view-pending);
   the first answer writes the selection store, and a clientside callback removes the class. */
if (window.location.search.length > 1) {
  document.documentElement.classList.add("linked-view-pending");
}
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  linkedView: {
    shown: function (selection) {
      if (selection) {
        document.documentElement.classList.remove("linked-view-pending");
      }
      return window.dash_clientside.no_update;
    },
    /* The corrected search of a link that said something invalid: it replaces the address's
       history entry (dcc.Location would push a new one, and Back would land on the invalid
       link, be corrected and pushed again: a trap). */
    correctAddress: function (search) {
      if (typeof search === "string" && search !== window.location.search) {
        window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
        /* dcc.Location still holds the invalid link as its href and search: on the next change it
           would see them differ from the address bar and push the invalid link back. Tell it the
           address it now shows (its own callback then finds nothing to do). */
        window.dash_clientside.set_props("url", {search: search, href: window.location.href});
      }
      return window.dash_clientside.no_update;
    },
  },
});
