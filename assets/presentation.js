/* Presentation mode follows the address (`present=1`, dashboard/web/charts.py): the page's
   controls hidden, its key number, map and chosen chart large (style.css, html.present). The
   class is set from the address at once, before the page is drawn (no flash of the controls),
   on Back and Forward, and whenever the server writes a new address (a clientside callback on
   the address). The button and Esc ask the server to leave or enter it, so the permalink, the
   store and the charts' sizes change together. */
(function () {
  var TOGGLE = "present-toggle";

  function presenting(search) {
    /* As the server reads it (web/urlstate.py): the last `present`, trimmed. */
    var values = new URLSearchParams(search || "").getAll("present");
    return values.length > 0 && values[values.length - 1].trim() === "1";
  }

  function follow(search) {
    /* Nothing is touched unless the mode changed: every filter change calls this, and a change
       to the page that is not needed is a repaint the presenter waits for (bench/browser.py). */
    var on = presenting(search);
    var button = document.getElementById(TOGGLE);
    if (button && button.getAttribute("aria-pressed") !== String(on)) {
      button.setAttribute("aria-pressed", String(on));
    }
    if (document.documentElement.classList.contains("present") !== on) {
      document.documentElement.classList.toggle("present", on);
      window.dispatchEvent(new Event("resize"));  // the map and the chart take their new sizes
    }
  }

  /* A double-click on the toggle is one press: its second click (the browser counts it: `detail`
     2) never reaches the page (the capture phase runs before Dash's own listener). Two presses
     had left the mode on or off by how fast the server answered the first. Esc's press and the
     keyboard's (`detail` 0) always count. */
  document.addEventListener("click", function (event) {
    if (event.detail > 1 && event.target.closest && event.target.closest("#" + TOGGLE)) {
      event.stopPropagation();
      event.preventDefault();
    }
  }, true);

  follow(window.location.search);
  window.addEventListener("popstate", function () { follow(window.location.search); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.documentElement.classList.contains("present")) {
      var button = document.getElementById(TOGGLE);
      if (button) {
        button.click();
        button.focus();  // the keyboard stays where the presenter can press it again
      }
    }
  });

  /* While presenting, a chart tab chosen with the mouse does not keep the keyboard's focus: the
     presenter's next arrow key steps the storyboard, not the tabs. Chosen by keyboard, it does. */
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".chart-tabs");
    if (tab && event.detail > 0 && document.documentElement.classList.contains("present")) {
      window.setTimeout(function () {
        if (document.activeElement && tab.contains(document.activeElement)) {
          document.activeElement.blur();
        }
      }, 0);
    }
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    presentation: {
      follow: function (search) {
        follow(typeof search === "string" ? search : window.location.search);
        return window.dash_clientside.no_update;
      },
    },
  });
})();
