/* The storyboard: an ordered list of views a presenter will show, kept in this browser
   (localStorage) and stepped through in presentation mode (docs/presentation.md).

   Each saved view is its permalink: the address's search, without `present`, and a label from
   the headline. "Add this view" appends the view shown; the list can be reordered, emptied,
   exported as a text file of permalinks (one a line) and imported from such a list, so that a
   board secretary can prepare it before the meeting. In presentation mode the arrow keys and
   the buttons beside the position ("3 of 7") open the previous or next view. Opening a view
   sets the address as Back and Forward do (the page's one callback then answers for it).

   Everything here is made by this script inside containers the server never updates
   (ids STORYBOARD and STORY_STEPS), so React never redraws over it. */
(function () {
  var KEY = "cancer-variation-explorer.storyboard";
  var LIST_ID = "storyboard";
  var STEPS_ID = "story-steps";

  function viewOf(search) {
    var params = new URLSearchParams(search || "");
    params.delete("present");
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function load() {
    try {
      var views = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(views) ? views.filter(function (v) { return v && typeof v.search === "string"; }) : [];
    } catch (error) {
      return [];
    }
  }

  function save(views) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(views));
    } catch (error) {
      say("This browser would not keep the storyboard (storage is full or switched off).");
    }
    draw();
  }

  function say(message) {
    var status = document.getElementById("storyboard-status");
    if (status) {
      status.textContent = message;
    }
  }

  function currentIndex(views) {
    var here = viewOf(window.location.search);
    for (var i = 0; i < views.length; i++) {
      if (viewOf(views[i].search) === here) {
        return i;
      }
    }
    return -1;
  }

  function permalink(search) {
    return window.location.origin + window.location.pathname + search;
  }

  function open(search) {
    var presenting = new URLSearchParams(window.location.search).get("present") === "1";
    var target = viewOf(search);
    if (presenting) {
      target += (target ? "&" : "?") + "present=1";
    }
    window.history.pushState(window.history.state, "", window.location.pathname + target);
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("url", {search: target, href: window.location.href});
    }
    draw();
  }

  function step(by) {
    var views = load();
    if (!views.length) {
      return;
    }
    var index = currentIndex(views);
    var next = index < 0 ? (by > 0 ? 0 : views.length - 1) : index + by;
    if (next >= 0 && next < views.length) {
      open(views[next].search);
    }
  }

  function button(text, label, action, disabled) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "story-button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.disabled = Boolean(disabled);
    b.addEventListener("click", action);
    return b;
  }

  function labelNow() {
    var headline = document.getElementById("headline");
    var text = headline ? headline.textContent.trim() : "";
    return text.length > 140 ? text.slice(0, 137) + "…" : (text || viewOf(window.location.search));
  }

  function drawList(container, views) {
    container.textContent = "";
    var heading = document.createElement("h3");
    heading.id = "storyboard-heading";
    heading.textContent = "Storyboard: " + views.length + (views.length === 1 ? " view" : " views");
    container.appendChild(heading);
    var tools = document.createElement("div");
    tools.className = "story-tools";
    tools.appendChild(button("Add this view", "Add the view shown to the storyboard", function () {
      var all = load();
      all.push({search: viewOf(window.location.search), label: labelNow()});
      save(all);
      say("Added as view " + all.length + ".");
    }));
    tools.appendChild(button("Export", "Export the storyboard as a list of permalinks", exportViews, !views.length));
    tools.appendChild(button("Import", "Import a file of permalinks, replacing the storyboard", importViews));
    tools.appendChild(button("Paste links", "Paste a list of permalinks, replacing the storyboard", pasteViews));
    tools.appendChild(button("Empty", "Remove every view from the storyboard", function () { save([]); say("The storyboard is empty."); }, !views.length));
    container.appendChild(tools);
    var list = document.createElement("ol");
    list.className = "story-list";
    list.setAttribute("aria-labelledby", "storyboard-heading");
    var here = currentIndex(views);
    views.forEach(function (view, i) {
      var item = document.createElement("li");
      if (i === here) {
        item.setAttribute("aria-current", "true");
      }
      var link = document.createElement("a");
      link.href = permalink(view.search);
      link.textContent = view.label || view.search;
      link.addEventListener("click", function (event) { event.preventDefault(); open(view.search); });
      item.appendChild(link);
      item.appendChild(button("↑", "Move view " + (i + 1) + " up", function () { var all = load(); all.splice(i - 1, 0, all.splice(i, 1)[0]); save(all); }, i === 0));
      item.appendChild(button("↓", "Move view " + (i + 1) + " down", function () { var all = load(); all.splice(i + 1, 0, all.splice(i, 1)[0]); save(all); }, i === views.length - 1));
      item.appendChild(button("✕", "Remove view " + (i + 1), function () { var all = load(); all.splice(i, 1); save(all); }));
      list.appendChild(item);
    });
    container.appendChild(list);
    var status = document.createElement("p");
    status.id = "storyboard-status";
    status.className = "caption";
    status.setAttribute("role", "status");
    container.appendChild(status);
  }

  function drawSteps(container, views) {
    container.textContent = "";
    if (!views.length) {
      return;
    }
    var index = currentIndex(views);
    container.appendChild(button("◀", "Previous view in the storyboard", function () { step(-1); }, index === 0));
    var position = document.createElement("span");
    position.className = "story-position";
    position.setAttribute("aria-live", "polite");
    position.textContent = index < 0 ? "not in the storyboard (" + views.length + ")" : (index + 1) + " of " + views.length;
    container.appendChild(position);
    container.appendChild(button("▶", "Next view in the storyboard", function () { step(1); }, index === views.length - 1));
  }

  function draw() {
    var views = load();
    var list = document.getElementById(LIST_ID);
    if (list) {
      drawList(list, views);
    }
    var steps = document.getElementById(STEPS_ID);
    if (steps) {
      drawSteps(steps, views);
    }
  }

  function exportViews() {
    var text = load().map(function (view) { return permalink(view.search); }).join("\n") + "\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], {type: "text/plain"}));
    link.download = "Storyboard - " + new Date().toISOString().slice(0, 10) + ".txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function parsed(text) {
    /* Permalinks, one a line (or separated by spaces: a pasted list may lose its line breaks). */
    var views = [];
    var skipped = 0;
    text.split(/\s+/).forEach(function (word) {
      var at = word.indexOf("?");
      if (!word) {
        return;
      }
      if (at < 0) {
        skipped += 1;
        return;
      }
      views.push({search: viewOf(word.slice(at)), label: decodeURIComponent(word.slice(at + 1).replace(/\+/g, " ")).slice(0, 140)});
    });
    return {views: views, skipped: skipped};
  }

  function replaceWith(text) {
    var result = parsed(text);
    save(result.views);
    say("Imported " + result.views.length + " view" + (result.views.length === 1 ? "" : "s") +
        (result.skipped ? "; " + result.skipped + " word(s) that were not permalinks skipped." : "."));
  }

  function importViews() {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = ".txt,text/plain";
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      if (file.size > 200000) {
        say("That file is too large for a storyboard (" + Math.round(file.size / 1024) + " KB); nothing was imported.");
        return;
      }
      file.text().then(replaceWith);
    });
    input.click();
  }

  function pasteViews() {
    var text = window.prompt("Paste the permalinks (the storyboard is replaced):", "");
    if (text !== null) {
      replaceWith(text);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.documentElement.classList.contains("present") || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = event.target;
    var tag = target && target.tagName;
    // Arrow keys keep their meaning in a control, a radio group (the Chart tabs) or the table.
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target.closest && target.closest(".ag-root-wrapper, [role=radiogroup]"))) {
      return;
    }
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      step(1);
      event.preventDefault();
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      step(-1);
      event.preventDefault();
    }
  });
  window.addEventListener("popstate", draw);
  window.addEventListener("storage", function (event) { if (event.key === KEY) { draw(); } });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    storyboard: {
      /* The address changed (a view was opened or the server wrote a new one): redraw the
         position and the list's current mark. */
      follow: function () {
        draw();
        return window.dash_clientside.no_update;
      },
    },
  });
})();
