/* The board pack (docs/presentation.md, "Board pack"): a PDF or PowerPoint file of this view or
   of the storyboard's views, a title page then a page per view.

   For each view, in order, the server sends its map and chart as figures
   (GET board-pack/view?<permalink's query>), and plotly.js draws each here as a PNG at the size
   the server names; the progress bar and the status line say which view is being drawn. Then
   the pictures go to the server (POST board-pack), which writes every text of each page from the
   view's own link and puts the file together; the file is saved under the name the server gives.
   Nothing leaves this machine's server. */
(function () {
  var busy = false;

  function prefix() {
    return window.CancerVariationLinks.prefix();  // assets/app_links.js
  }

  function say(message) {
    var status = document.getElementById("pack-status");
    if (status) {
      status.textContent = message;
    }
  }

  function progress(done, total) {
    var bar = document.getElementById("pack-progress");
    if (!bar) {
      return;
    }
    bar.hidden = total === 0;
    bar.max = Math.max(total, 1);
    bar.value = done;
  }

  function topojsonURL() {
    var map = document.querySelector("#map .js-plotly-plot");
    return (map && map._context && map._context.topojsonURL) || prefix() + "assets/topojson/";
  }

  function picture(part) {
    if (!part || !part.figure) {
      return Promise.resolve(null);
    }
    var figure = {data: part.figure.data, layout: Object.assign({}, part.figure.layout, {width: part.width, height: part.height}), config: {topojsonURL: topojsonURL()}};
    return window.Plotly.toImage(figure, {format: "png", width: part.width, height: part.height, scale: part.scale})
      .then(function (url) { return url.replace(/^data:image\/png;base64,/, ""); });
  }

  function drawView(search, number, total) {
    say("Drawing view " + number + " of " + total + "…");
    return fetch(prefix() + "board-pack/view" + search, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the server could not give view " + number + " (" + response.status + ")");
        }
        return response.json();
      })
      .then(function (view) {
        return Promise.all([picture(view.map), picture(view.chart)]).then(function (pictures) {
          // The link as saved, not as the server corrected it: the page then says what was corrected.
          return {search: search, map: pictures[0], chart: pictures[1], maxBytes: view.max_bytes};
        });
      });
  }

  function packTitle() {
    var input = document.getElementById("pack-title");
    return input && input.value.trim() ? input.value.trim() : null;
  }

  function fileName(response, format) {
    /* The server's name: its UTF-8 form (a title in any script) if given, else its plain one. */
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) {
      try {
        return decodeURIComponent(encoded[1]);
      } catch (error) { /* fall through to the plain name */ }
    }
    var match = /filename="?([^";]+)"?/.exec(header);
    return match ? match[1] : "Board pack." + format;
  }

  function make(scope, format, button) {
    if (busy) {
      return;
    }
    var searches = scope === "view" ? [window.CancerVariationLinks.viewOf(window.location.search)]
      : (window.CancerVariationStoryboard ? window.CancerVariationStoryboard.searches() : []);
    if (!searches.length) {
      say("The storyboard is empty: add views to it first (Add this view), or make a pack of this view.");
      return;
    }
    if (!window.Plotly) {
      say("The charts' code has not loaded yet; try again in a moment.");
      return;
    }
    busy = true;
    button.setAttribute("aria-busy", "true");
    document.querySelectorAll("[data-pack]").forEach(function (b) { b.disabled = true; });
    var total = searches.length;
    var views = [];
    progress(0, total + 1);
    var chain = Promise.resolve();
    var size = 0;  // the request's size so far: the server takes at most max_bytes, said before drawing on
    searches.forEach(function (search, i) {
      chain = chain.then(function () { return drawView(search, i + 1, total); }).then(function (view) {
        size += search.length + (view.map || "").length + (view.chart || "").length + 100;
        if (size > view.maxBytes) {
          throw new Error("the pack would be larger than the server takes (" + Math.round(view.maxBytes / 1e6) + " MB) at view " + (i + 1) +
            " of " + total + ": make a pack of the first " + i + " views, then of the rest");
        }
        delete view.maxBytes;
        views.push(view);
        progress(i + 1, total + 1);
      });
    });
    var label = format === "pdf" ? "PDF" : "PowerPoint file";
    chain.then(function () {
      say("Putting the " + label + " together (" + (total + 1) + " pages)…");
      return fetch(prefix() + "board-pack", {
        method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({format: format, views: views, title: packTitle()}),
      });
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text || ("the server answered " + response.status)); });
      }
      return response.blob().then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = fileName(response, format);
        document.body.appendChild(link);
        link.click();
        link.remove();
        progress(total + 1, total + 1);
        say("Saved " + link.download + ": a title page and " + total + " view page" + (total === 1 ? "" : "s") + ".");
      });
    }).catch(function (error) {
      progress(0, 0);
      var message = String(error && error.message || error);
      say(/could not be made/.test(message) ? message : "The board pack could not be made: " + message);
    }).finally(function () {
      busy = false;
      button.removeAttribute("aria-busy");
      document.querySelectorAll("[data-pack]").forEach(function (b) { b.disabled = false; });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-pack]");
    if (button) {
      var parts = button.getAttribute("data-pack").split(" ");
      make(parts[0], parts[1], button);
    }
  });
})();
