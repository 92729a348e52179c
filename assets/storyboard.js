/* The storyboard: an ordered list of views a presenter will show, kept in this browser
   (localStorage) and stepped through in presentation mode (docs/presentation.md).

   Each saved view is its permalink (the address's search, without `present`), a label (the
   headline when it was added or last opened) and a key: the view as the server settled it
   (the page's selection store, without `present`). Views are matched by key, so a short link
   and the full permalink the server writes for it are the same view. An imported view gets its
   key, and its label, the first time it is opened from the storyboard.

   "Add this view" appends the view shown; views can be reordered, removed, emptied, exported as a
   text file of permalinks (one a line) and imported from such a file or pasted, so that a board
   secretary can prepare the meeting. In presentation mode the arrow keys (or Page Up / Page
   Down) and the buttons beside the position ("3 of 7") open the previous or next view. Opening a
   view sets the address as Back and Forward do (the page's one callback then answers for it).

   Everything is made by this script inside containers the server never updates (ids STORYBOARD
   and STORY_STEPS), and redrawn only when the list, the view shown or the position changes: a
   filter change must not repaint it (bench/browser.py). */
(function () {
  var STORE = "cancer-variation-explorer.storyboard";
  var LIST_ID = "storyboard";
  var STEPS_ID = "story-steps";
  var MAX_FILE_BYTES = 200000;
  var MAX_VIEWS = 100;  // a meeting's worth, many times over; 10,000 made every filter change take 2.5 s
  var currentKey = null;  // the view shown, as the server settled it
  var lastIndex = -1;  // the storyboard's view last shown: Next and Previous go on from it
  var opening = -1;  // the storyboard's view being opened: it gets the key the server answers with
  var drawn = "";  // what the containers show now (their signature)

  function viewOf(search) {
    return window.CancerVariationLinks.viewOf(search);  // assets/app_links.js
  }

  function keyOf(selection) {
    if (!selection || typeof selection !== "object") {
      return null;
    }
    return JSON.stringify(Object.keys(selection).filter(function (k) { return k !== "present"; }).sort().map(function (k) { return [k, selection[k]]; }));
  }

  function load() {
    try {
      var views = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(views) ? views.filter(function (v) { return v && typeof v.search === "string"; }) : [];
    } catch (error) {
      return [];  // a damaged list is an empty one: the page still works
    }
  }

  function save(views, message) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(views));
    } catch (error) {
      message = "This browser would not keep the storyboard (storage is full or switched off).";
    }
    draw();
    say(message || "");
  }

  function say(message) {
    var status = document.getElementById("storyboard-status");
    if (status && status.textContent !== message) {
      status.textContent = message;
    }
  }

  function indexOfShown(views) {
    var here = viewOf(window.location.search);
    for (var i = 0; i < views.length; i++) {
      if ((currentKey && views[i].key === currentKey) || viewOf(views[i].search) === here) {
        return i;
      }
    }
    return -1;
  }

  function permalink(search) {
    return window.location.origin + window.location.pathname + search;
  }

  function labelFromLink(search) {
    var params = new URLSearchParams(search);
    var parts = ["indicator", "cancer", "period", "level", "alliance", "area", "group_value", "chart"]
      .map(function (name) { return params.get(name); })
      .filter(function (value) { return value; });
    return parts.length ? parts.join(", ") : "the first view";
  }

  function headlineLabel() {
    var headline = document.getElementById("headline");
    var text = headline ? headline.textContent.trim() : "";
    return text.length > 140 ? text.slice(0, 137) + "…" : text;
  }

  function open(index) {
    var views = load();
    if (index < 0 || index >= views.length) {
      return;
    }
    var presenting = new URLSearchParams(window.location.search).get("present") === "1";
    var target = viewOf(views[index].search);
    if (presenting) {
      target += (target ? "&" : "?") + "present=1";
    }
    opening = index;
    lastIndex = index;
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
    var index = indexOfShown(views);
    var from = index >= 0 ? index : lastIndex;
    var next = from < 0 ? (by > 0 ? 0 : views.length - 1) : from + by;
    if (next >= 0 && next < views.length) {
      open(next);
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

  function add() {
    var views = load();
    if (views.length >= MAX_VIEWS) {
      say("The storyboard holds at most " + MAX_VIEWS + " views; remove one first.");
      return;
    }
    views.push({search: viewOf(window.location.search), key: currentKey, label: headlineLabel() || labelFromLink(window.location.search)});
    lastIndex = views.length - 1;
    save(views, "Added as view " + views.length + ".");
  }

  function move(i, by) {
    var views = load();
    views.splice(i + by, 0, views.splice(i, 1)[0]);
    save(views, "View " + (i + 1) + " is now view " + (i + by + 1) + ".");
  }

  function remove(i) {
    var views = load();
    views.splice(i, 1);
    save(views, "View " + (i + 1) + " removed; " + views.length + " left.");
  }

  function empty() {
    if (window.confirm("Remove all " + load().length + " views from the storyboard?")) {
      save([], "The storyboard is empty.");
    }
  }

  function drawList(container, views, here) {
    container.textContent = "";
    var heading = document.createElement("h3");
    heading.id = "storyboard-heading";
    heading.textContent = "Storyboard: " + views.length + (views.length === 1 ? " view" : " views");
    container.appendChild(heading);
    var tools = document.createElement("div");
    tools.className = "story-tools";
    tools.appendChild(button("Add this view", "Add this view to the storyboard", add));
    tools.appendChild(button("Export", "Export the storyboard as a list of permalinks", exportViews, !views.length));
    tools.appendChild(button("Import", "Import a file of permalinks, replacing the storyboard", importViews));
    tools.appendChild(button("Paste links", "Paste links to replace the storyboard", pasteViews));
    tools.appendChild(button("Empty", "Empty the storyboard", empty, !views.length));
    container.appendChild(tools);
    var list = document.createElement("ol");
    list.className = "story-list";
    list.setAttribute("aria-labelledby", "storyboard-heading");
    views.forEach(function (view, i) {
      var item = document.createElement("li");
      if (i === here) {
        item.setAttribute("aria-current", "true");
      }
      var link = document.createElement("a");
      link.href = permalink(viewOf(view.search));
      link.textContent = view.label || labelFromLink(view.search);
      link.addEventListener("click", function (event) { event.preventDefault(); open(i); });
      item.appendChild(link);
      item.appendChild(button("↑", "Move view " + (i + 1) + " up", function () { move(i, -1); }, i === 0));
      item.appendChild(button("↓", "Move view " + (i + 1) + " down", function () { move(i, 1); }, i === views.length - 1));
      item.appendChild(button("✕", "Remove view " + (i + 1), function () { remove(i); }));
      list.appendChild(item);
    });
    container.appendChild(list);
    var status = document.createElement("p");
    status.id = "storyboard-status";
    status.className = "caption";
    status.setAttribute("role", "status");
    container.appendChild(status);
  }

  function drawSteps(container, views, here) {
    container.textContent = "";
    if (!views.length) {
      return;
    }
    var from = here >= 0 ? here : lastIndex;
    container.appendChild(button("◀", "Previous view in the storyboard", function () { step(-1); }, from === 0 || (from < 0 && !views.length)));
    var position = document.createElement("span");
    position.className = "story-position";
    position.setAttribute("aria-live", "polite");
    position.textContent = here >= 0 ? (here + 1) + " of " + views.length
      : from >= 0 ? "changed from " + (from + 1) + " of " + views.length : "not in the storyboard (" + views.length + ")";
    container.appendChild(position);
    container.appendChild(button("▶", "Next view in the storyboard", function () { step(1); }, from === views.length - 1));
  }

  function draw() {
    var views = load();
    var here = indexOfShown(views);
    if (here >= 0) {
      lastIndex = here;
    }
    var signature = JSON.stringify([views, here, lastIndex]);
    if (signature === drawn) {
      return;
    }
    drawn = signature;
    // The keyboard's focus, if on one of these buttons, comes back to the same button once redrawn.
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#" + LIST_ID + ", #" + STEPS_ID)
      ? document.activeElement.getAttribute("aria-label") : null;
    var list = document.getElementById(LIST_ID);
    if (list) {
      drawList(list, views, here);
    }
    var steps = document.getElementById(STEPS_ID);
    if (steps) {
      drawSteps(steps, views, here);
    }
    if (focused) {
      var again = document.querySelector("#" + LIST_ID + " [aria-label='" + focused + "'], #" + STEPS_ID + " [aria-label='" + focused + "']");
      if (again && !again.disabled) {
        again.focus();
      } else if (document.querySelector("#" + STEPS_ID + " button:not([disabled])")) {
        document.querySelector("#" + STEPS_ID + " button:not([disabled])").focus();
      }
    }
  }

  function exportViews() {
    var text = load().map(function (view) { return permalink(viewOf(view.search)); }).join("\n") + "\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], {type: "text/plain"}));
    link.download = "Storyboard - " + new Date().toISOString().slice(0, 10) + ".txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function parsed(text) {
    /* Permalinks, one a line, or separated by spaces: a pasted list may lose its line breaks, and
       a link starts again at each "http" (two links run together are still two). Only the part
       from "?" is kept: a link to another site opens this view here, never that site. */
    var views = [];
    var skipped = 0;
    text.replace(/(\S)(https?:\/\/)/g, "$1 $2").split(/\s+/).forEach(function (word) {
      if (!word) {
        return;
      }
      var at = word.indexOf("?");
      if (at < 0) {
        skipped += 1;
        return;
      }
      var search = viewOf(word.slice(at));
      views.push({search: search, key: null, label: labelFromLink(search)});
    });
    return {views: views, skipped: skipped};
  }

  function replaceWith(text) {
    var result = parsed(text);
    var dropped = Math.max(0, result.views.length - MAX_VIEWS);
    result.views = result.views.slice(0, MAX_VIEWS);
    var current = load().length;
    if (current && !window.confirm("Replace the storyboard's " + current + " views with the " + result.views.length + " imported?")) {
      return;
    }
    save(result.views, "Imported " + result.views.length + " view" + (result.views.length === 1 ? "" : "s") +
        (dropped ? "; the " + dropped + " after the first " + MAX_VIEWS + " left out" : "") +
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
      if (file.size > MAX_FILE_BYTES) {
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
  // The board pack (assets/board_pack.js) makes a page of each saved view, in order.
  window.CancerVariationStoryboard = {searches: function () { return load().map(function (view) { return viewOf(view.search); }); }};
  window.addEventListener("popstate", function () { opening = -1; draw(); });
  window.addEventListener("storage", function (event) { if (event.key === STORE) { draw(); } });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    storyboard: {
      /* The server settled the view shown (the page's selection store): match it, and give a view
         being opened from the storyboard its key and its headline. */
      follow: function (selection) {
        currentKey = keyOf(selection);
        if (opening >= 0) {
          var views = load();
          if (opening < views.length) {
            views[opening].key = currentKey;
            window.setTimeout(function () {
              var label = headlineLabel();
              var all = load();
              if (label && all[opening] && all[opening].key === currentKey) {
                all[opening].label = label;
                window.localStorage.setItem(STORE, JSON.stringify(all));
                draw();
              }
              opening = -1;
            }, 300);
            window.localStorage.setItem(STORE, JSON.stringify(views));
          }
        }
        draw();
        return window.dash_clientside.no_update;
      },
    },
  });
})();
