/* lskg network explorer: Cytoscape.js over /analysis/{graph}. Nodes are coloured by sector
 * (Okabe–Ito colours, as in the exported plots), shaped by kind and sized by a measure;
 * filters, search, a side panel, highlights and exports. Large graphs get a linear layout
 * and cheaper rendering (see docs/web.md for the measurements behind the thresholds). */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var config = JSON.parse($("network-config").textContent);
  var SHAPES = {
    person: "ellipse", organisation: "round-rectangle", group: "hexagon",
    programme: "star", area: "diamond", infrastructure: "triangle",
  };
  var GLYPHS = { person: "●", organisation: "■", group: "⬢", programme: "★", area: "◆", infrastructure: "▲" };
  var KIND_NAMES = {
    person: "People", organisation: "Organisations", group: "Groups",
    programme: "Programmes", area: "Collaboration areas", infrastructure: "Infrastructures",
  };
  var MEASURE_NAMES = { degree: "degree", betweenness: "betweenness", brokerage: "brokerage" };
  // Rendering gets cheaper on big graphs (no labels until selected, straight "haystack"
  // edges hidden while the view moves) and cheaper still on huge ones (a bitmap of the view
  // while zooming, no node borders). Edges count as much as nodes: a graph of 1300 nodes and
  // 45k edges drew at 2 frames a second before they did (docs/web.md).
  function isBig(n, m) { return n > 2000 || m > 4000; }
  function isHuge(n, m) { return n > 5000 || m > 20000; }

  var cy = null;
  var data = null;
  var labels = {};
  var timings = {};
  var searchTimer = null;

  window.lskgExplorer = { timings: timings, cy: function () { return cy; }, data: function () { return data; } };

  function setState(value) { $("cy").dataset.state = value; }

  function sectorInfo(notation) {
    for (var i = 0; i < data.sectors.length; i++) {
      if (data.sectors[i].notation === notation) { return data.sectors[i]; }
    }
    return null;
  }

  function colourOf(sector) {
    var info = sector ? sectorInfo(sector) : null;
    return info ? info.colour : data.no_sector_colour;
  }

  function labelOf(iri) {
    if (!iri) { return ""; }
    return labels[iri] || iri.replace(/[#/]$/, "").split(/[#/]/).pop();
  }

  function pageOf(iri) {
    if (iri && iri.indexOf(config.base_iri) === 0) { return "/" + iri.slice(config.base_iri.length); }
    return null;
  }

  // ------------------------------------------------------------------ loading

  function load(graph) {
    setState("loading");
    $("loading").hidden = false;
    $("loading").textContent = "Loading the " + graph + " graph…";
    $("network-error").hidden = true;
    var started = performance.now();
    fetch("/analysis/" + encodeURIComponent(graph), { headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) { throw new Error("the server answered " + res.status); }
        return res.text();
      })
      .then(function (text) {
        timings.fetch = performance.now() - started;
        var parsed = performance.now();
        data = JSON.parse(text);
        timings.parse = performance.now() - parsed;
        timings.bytes = text.length;
        build();
      })
      .catch(function (err) {
        $("loading").hidden = true;
        var box = $("network-error");
        box.textContent = "The graph could not be loaded: " + err.message;
        box.hidden = false;
        setState("error");
      });
  }

  function style(n, m) {
    var big = isBig(n, m);
    var huge = isHuge(n, m);
    return [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          shape: "data(shape)",
          width: "data(size)",
          height: "data(size)",
          "border-width": huge ? 0 : 1,
          "border-color": "#3b4350",
          label: big ? "" : "data(label)",
          "font-size": 9,
          color: "#1c2430",
          "text-valign": "bottom",
          "text-margin-y": 2,
          "text-outline-color": "#ffffff",
          "text-outline-width": 1.5,
          "min-zoomed-font-size": 7,
        },
      },
      {
        selector: "edge",
        style: {
          width: "mapData(weight, 1, 10, 1, 5)",
          "line-color": "#98a2ae",
          opacity: big ? 0.35 : 0.7,
          "curve-style": big ? "haystack" : "straight",
        },
      },
      { selector: "edge[?former]", style: { "line-style": "dashed" } },
      { selector: ".filtered", style: { display: "none" } },
      { selector: "node.ap", style: { "border-width": 4, "border-color": "#111111", "border-style": "double" } },
      {
        selector: "edge.suggested",
        style: {
          "line-color": "#b3261e", "line-style": "dashed", width: 2.5, opacity: 1,
          "curve-style": "straight", "z-index": 5,
        },
      },
      { selector: "edge.suggested.off", style: { display: "none" } },
      { selector: "node.match", style: { "border-width": 4, "border-color": "#ffbf47", label: "data(label)" } },
      {
        selector: "node:selected",
        style: { "border-width": 5, "border-color": "#0b5cad", label: "data(label)", "z-index": 10 },
      },
    ];
  }

  function build() {
    var n = data.nodes;
    var m = data.edges;
    labels = {};
    data.elements.nodes.forEach(function (node) {
      var d = node.data;
      labels[d.id] = d.label;
      d.colour = colourOf(d.sector);
      d.shape = SHAPES[d.kind] || "ellipse";
      d.size = 12;
    });
    data.areas.forEach(function (a) { labels[a.iri] = a.label; });
    if (cy) { cy.destroy(); }
    var created = performance.now();
    cy = window.cytoscape({
      container: $("cy"),
      elements: data.elements,
      style: style(n, m),
      layout: { name: "null" },
      minZoom: 0.01,
      maxZoom: 5,
      boxSelectionEnabled: false,
      selectionType: "single",
      hideEdgesOnViewport: isBig(n, m),
      textureOnViewport: isHuge(n, m),
      pixelRatio: isHuge(n, m) ? 1 : "auto",
      motionBlur: false,
    });
    timings.create = performance.now() - created;
    var suggested = data.suggested_links.map(function (s, i) {
      return {
        group: "edges",
        classes: "suggested" + ($("show-links").checked ? "" : " off"),
        data: { id: "suggested-" + i, source: s.source, target: s.target, weight: 1, score: s.score },
      };
    });
    cy.add(suggested);
    cy.nodes().forEach(function (node) { if (node.data("articulation") > 0) { node.addClass("apt"); } });
    applyHighlights();
    applySizes();
    buildFilters();
    applyFilters();
    cy.on("tap", "node", function (event) { select(event.target, false); });
    cy.on("tap", function (event) { if (event.target === cy) { cy.elements(":selected").unselect(); idlePanel(); } });
    updateLinks();
    runLayout();
  }

  // ------------------------------------------------------------------ layout

  function layoutFor(name, n, m) {
    var limits = config.layout_limits;
    if (name === "auto") { name = n <= limits.fcose_nodes && m <= limits.fcose_edges ? "fcose" : "concentric"; }
    var common = { animate: false, fit: true, padding: 24 };
    if (name === "fcose") {
      return Object.assign({
        name: "fcose", quality: n > 1000 ? "draft" : "default", randomize: true,
        nodeRepulsion: 8000, idealEdgeLength: 70, nodeSeparation: 60, numIter: 2500,
        packComponents: false, tile: true,
      }, common);
    }
    if (name === "cose") {
      return Object.assign({ name: "cose", randomize: true, numIter: 1000, nodeRepulsion: 400000 }, common);
    }
    if (name === "concentric") {
      var levels = Math.max(1, Math.round(cy.nodes().maxDegree(false) / 8));
      return Object.assign({
        name: "concentric", minNodeSpacing: isHuge(n, m) ? 2 : 6,
        concentric: function (node) { return node.degree(false); },
        levelWidth: function () { return levels; },
      }, common);
    }
    if (name === "grid") { return Object.assign({ name: "grid", avoidOverlap: !isBig(n, m) }, common); }
    return Object.assign({ name: "circle" }, common);
  }

  function runLayout() {
    setState("layout");
    var n = cy.nodes().length;
    var options = layoutFor($("layout").value, n, data.edges);
    timings.layoutName = options.name;
    timings.runs = (timings.runs || 0) + 1;
    $("loading").hidden = false;
    $("loading").textContent = "Laying out " + n + " nodes (" + options.name + ")…";
    // Let the message paint before the layout takes the main thread.
    requestAnimationFrame(function () {
      setTimeout(function () {
        var started = performance.now();
        var layout = cy.elements().not(".suggested").layout(options);
        layout.one("layoutstop", function () {
          timings.layout = performance.now() - started;
          requestAnimationFrame(function () {
            requestAnimationFrame(function () {
              timings.firstRender = performance.now() - started - timings.layout;
              $("loading").hidden = true;
              setState("ready");
              idlePanel();
            });
          });
        });
        layout.run();
      }, 0);
    });
  }

  // ------------------------------------------------------------------ sizes, filters, highlights

  function applySizes() {
    var measure = $("size-by").value;
    var huge = isHuge(cy.nodes().length, data.edges);
    var max = 0;
    cy.nodes().forEach(function (node) { max = Math.max(max, node.data(measure) || 0); });
    var base = huge ? 4 : 10;
    var span = huge ? 22 : 34;
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var v = node.data(measure) || 0;
        node.data("size", max > 0 ? base + span * Math.sqrt(v / max) : base + 4);
      });
    });
  }

  function countBy(key) {
    var counts = {};
    data.elements.nodes.forEach(function (node) {
      var v = node.data[key] || "none";
      counts[v] = (counts[v] || 0) + 1;
    });
    return counts;
  }

  function checkbox(holder, name, value, text, marker, count) {
    var label = document.createElement("label");
    label.className = "check";
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    input.checked = true;
    input.addEventListener("change", applyFilters);
    label.appendChild(input);
    label.appendChild(marker);
    label.appendChild(document.createTextNode(" " + text));
    var c = document.createElement("span");
    c.className = "count";
    c.textContent = String(count);
    c.setAttribute("aria-label", count + " nodes");
    label.appendChild(c);
    holder.appendChild(label);
  }

  function buildFilters() {
    var sectors = countBy("sector");
    var holder = $("sector-boxes");
    holder.textContent = "";
    data.sectors.forEach(function (s) {
      if (!sectors[s.notation]) { return; }
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = s.colour;
      swatch.setAttribute("aria-hidden", "true");
      checkbox(holder, "sector", s.notation, s.label, swatch, sectors[s.notation]);
    });
    if (sectors.none) {
      var grey = document.createElement("span");
      grey.className = "swatch";
      grey.style.background = data.no_sector_colour;
      grey.setAttribute("aria-hidden", "true");
      checkbox(holder, "sector", "none", "No sector", grey, sectors.none);
    }
    var kinds = countBy("kind");
    holder = $("kind-boxes");
    holder.textContent = "";
    data.kinds.forEach(function (k) {
      var glyph = document.createElement("span");
      glyph.className = "shape";
      glyph.textContent = GLYPHS[k] || "●";
      glyph.setAttribute("aria-hidden", "true");
      checkbox(holder, "kind", k, KIND_NAMES[k] || k, glyph, kinds[k] || 0);
    });
    var area = $("area");
    var chosen = area.value;
    area.textContent = "";
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "All areas";
    area.appendChild(all);
    data.areas.forEach(function (a) {
      var option = document.createElement("option");
      option.value = a.iri;
      option.textContent = (a.notation ? a.notation + ". " : "") + a.label;
      area.appendChild(option);
    });
    area.value = data.areas.some(function (a) { return a.iri === chosen; }) ? chosen : "";
  }

  function checked(name) {
    var values = {};
    document.querySelectorAll('#controls input[name="' + name + '"]').forEach(function (input) {
      if (input.checked) { values[input.value] = true; }
    });
    return values;
  }

  function applyFilters() {
    if (!cy) { return; }
    var sectors = checked("sector");
    var kinds = checked("kind");
    var area = $("area").value;
    var shown = 0;
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var d = node.data();
        var ok = sectors[d.sector || "none"] && kinds[d.kind] && (!area || d.areas.indexOf(area) >= 0);
        if (ok) { shown++; node.removeClass("filtered"); } else { node.addClass("filtered"); }
      });
    });
    var text = "Showing " + shown + " of " + cy.nodes().length + " nodes";
    var edges = cy.edges().not(".suggested").filter(function (e) {
      return !e.source().hasClass("filtered") && !e.target().hasClass("filtered");
    }).length;
    $("visible-count").textContent = text + " and " + edges + " of " + data.edges + " ties.";
    $("visible-count").dataset.nodes = String(shown);
    idlePanel();
  }

  function applyHighlights() {
    if (!cy) { return; }
    var ap = $("show-ap").checked;
    var links = $("show-links").checked;
    cy.batch(function () {
      cy.nodes(".apt").forEach(function (node) { node.toggleClass("ap", ap); });
      cy.edges(".suggested").forEach(function (edge) { edge.toggleClass("off", !links); });
    });
  }

  // ------------------------------------------------------------------ search and selection

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function search(query) {
    if (!cy) { return []; }
    var q = fold(query.trim());
    var matches = [];
    cy.batch(function () {
      cy.nodes(".match").removeClass("match");
      if (!q) { return; }
      cy.nodes().forEach(function (node) {
        if (!node.hasClass("filtered") && fold(node.data("label")).indexOf(q) >= 0) { matches.push(node); }
      });
      if (matches.length <= 500) { matches.forEach(function (node) { node.addClass("match"); }); }
    });
    $("search-status").textContent = q
      ? matches.length + (matches.length === 1 ? " match" : " matches") + (matches.length ? "; Enter selects the first." : ".")
      : "Enter selects the first match.";
    return matches;
  }

  function select(node, fromKeyboard) {
    cy.elements(":selected").unselect();
    node.select();
    showPanel(node);
    if (fromKeyboard) {
      cy.center(node);
      $("panel-heading").focus();
    }
  }

  function selectById(id) {
    var node = cy.getElementById(id);
    if (node.nonempty()) { select(node, true); }
  }

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (className) { e.className = className; }
    return e;
  }

  function link(href, text) {
    var a = el("a", text);
    a.href = href;
    return a;
  }

  function nodeButton(id, text) {
    var b = el("button", text, "linklike");
    b.type = "button";
    b.addEventListener("click", function () { selectById(id); });
    return b;
  }

  function row(dl, term, value) {
    dl.appendChild(el("dt", term));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = value; }
    dl.appendChild(dd);
  }

  function fmt(value) {
    if (value === null || value === undefined) { return "—"; }
    if (typeof value === "number" && !Number.isInteger(value)) { return value.toFixed(4); }
    return String(value);
  }

  function showPanel(node) {
    var d = node.data();
    var body = $("panel-body");
    body.textContent = "";
    $("panel-heading").textContent = d.label;
    if (d.page) {
      var p = el("p");
      p.appendChild(link(d.page, "Open its linked-data page"));
      body.appendChild(p);
    }
    var dl = el("dl");
    row(dl, "Kind", (d.type || d.kind) + (d.kind && d.type && d.type.toLowerCase() !== d.kind ? " (" + d.kind + ")" : ""));
    var sector = el("span");
    if (d.sector) {
      var swatch = el("span", null, "swatch");
      swatch.style.background = colourOf(d.sector);
      swatch.setAttribute("aria-hidden", "true");
      sector.appendChild(swatch);
      sector.appendChild(document.createTextNode(" " + ((sectorInfo(d.sector) || {}).label || d.sector)));
    } else {
      sector.textContent = "none";
    }
    row(dl, "Sector", sector);
    var others = (d.sectors || []).filter(function (s) { return s !== d.sector; });
    if (others.length) {
      row(dl, "Also", others.map(function (s) { return (sectorInfo(s) || {}).label || s; }).join(", "));
    }
    if (d.region) {
      var region = pageOf(d.region);
      row(dl, "Region", region ? link(region, labelOf(d.region)) : labelOf(d.region));
    }
    if (d.areas && d.areas.length) {
      var areas = el("span");
      d.areas.forEach(function (a, i) {
        if (i) { areas.appendChild(document.createTextNode(", ")); }
        var href = pageOf(a);
        areas.appendChild(href ? link(href, labelOf(a)) : document.createTextNode(labelOf(a)));
      });
      row(dl, "Areas", areas);
    }
    body.appendChild(dl);

    body.appendChild(el("h3", "Measures"));
    var m = el("dl");
    m.id = "panel-measures";
    row(m, "Degree", fmt(d.degree));
    var method = data.betweenness.method === "sampled" ? " (sampled, k=" + data.betweenness.k + ")" : "";
    row(m, "Betweenness", fmt(d.betweenness) + method);
    row(m, "Brokerage", fmt(d.brokerage));
    Object.keys(d.brokerage_roles || {}).forEach(function (role) {
      if (d.brokerage_roles[role]) { row(m, "· " + role, fmt(d.brokerage_roles[role])); }
    });
    body.appendChild(m);
    if (d.articulation > 0) {
      body.appendChild(el("p", "Articulation point: without it, " + d.articulation +
        (d.articulation === 1 ? " node loses" : " nodes lose") + " contact with the rest.", "flag"));
    }
    var mine = data.suggested_links.filter(function (s) { return s.source === d.id || s.target === d.id; });
    if (mine.length) {
      body.appendChild(el("h3", "Suggested links"));
      var ul = el("ul");
      mine.forEach(function (s) {
        var other = s.source === d.id ? s.target : s.source;
        var li = el("li");
        li.appendChild(nodeButton(other, labelOf(other)));
        li.appendChild(document.createTextNode(" — score " + fmt(s.score) + ", " + s.shared + " shared contacts"));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    var ms = d.memberships || { count: 0, listed: [] };
    if (ms.count) {
      body.appendChild(el("h3", "Memberships and roles (" + ms.count + ")"));
      var roles = el("ul");
      roles.id = "panel-roles";
      ms.listed.forEach(function (entry) {
        var li = el("li");
        li.appendChild(entry.page ? link(entry.page, entry.label) : document.createTextNode(entry.label));
        var what = entry.roles.join(", ");
        li.appendChild(document.createTextNode((what ? " — " + what : "") + (entry.former ? " (former)" : "")));
        roles.appendChild(li);
      });
      if (ms.count > ms.listed.length) { roles.appendChild(el("li", "and " + (ms.count - ms.listed.length) + " more")); }
      body.appendChild(roles);
    }
    var neighbours = node.neighborhood("node");
    if (neighbours.length) {
      body.appendChild(el("h3", "Tied to (" + neighbours.length + ")"));
      var list = el("ul", null, "top-list");
      neighbours.sort(function (a, b) { return b.degree(false) - a.degree(false); }).slice(0, 15).forEach(function (other) {
        var li = el("li");
        li.appendChild(nodeButton(other.id(), other.data("label")));
        list.appendChild(li);
      });
      if (neighbours.length > 15) { list.appendChild(el("li", "and " + (neighbours.length - 15) + " more")); }
      body.appendChild(list);
    }
    var close = el("button", "Close", "secondary close");
    close.type = "button";
    close.addEventListener("click", function () {
      cy.elements(":selected").unselect();
      idlePanel();
      $("search").focus();
    });
    body.appendChild(close);
  }

  function idlePanel() {
    if (!cy || cy.$("node:selected").nonempty()) { return; }
    var measure = $("size-by").value;
    $("panel-heading").textContent = "Details";
    var body = $("panel-body");
    body.textContent = "";
    body.appendChild(el("p", "Select a node (click it, or find it by name) to see its roles and measures."));
    body.appendChild(el("h3", "Highest " + MEASURE_NAMES[measure]));
    var list = el("ol", null, "top-list");
    list.id = "top-nodes";
    cy.nodes().not(".filtered").sort(function (a, b) {
      return (b.data(measure) || 0) - (a.data(measure) || 0) || a.data("label").localeCompare(b.data("label"));
    }).slice(0, 10).forEach(function (node) {
      var li = el("li");
      li.appendChild(nodeButton(node.id(), node.data("label")));
      li.appendChild(document.createTextNode(" " + fmt(node.data(measure))));
      list.appendChild(li);
    });
    body.appendChild(list);
    var facts = el("p", data.nodes + " nodes, " + data.edges + " ties; " + data.articulation_points +
      " articulation points; " + data.suggested_links.length + " suggested links; betweenness " +
      data.betweenness.method + ".", "help");
    body.appendChild(facts);
  }

  // ------------------------------------------------------------------ exports and wiring

  function updateLinks() {
    var g = data.graph;
    ["graphml", "gexf", "cyjs", "csv"].forEach(function (fmt) { $("dl-" + fmt).href = "/network/" + g + "." + fmt; });
    $("json-link").href = "/analysis/" + g;
  }

  $("export-png").addEventListener("click", function () {
    if (!cy) { return; }
    var blob = cy.png({ output: "blob", bg: "#ffffff", full: false, scale: 2, maxWidth: 4000, maxHeight: 4000 });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = "lskg-" + data.graph + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });

  $("graph").addEventListener("change", function () {
    var g = $("graph").value;
    var option = $("graph").selectedOptions[0];
    $("graph-help").textContent = option.title.charAt(0).toUpperCase() + option.title.slice(1) + ".";
    history.replaceState(null, "", "/network?graph=" + encodeURIComponent(g));
    $("search").value = "";
    load(g);
  });
  $("size-by").addEventListener("change", function () { applySizes(); idlePanel(); });
  $("layout").addEventListener("change", function () { if (cy) { runLayout(); } });
  $("relayout").addEventListener("click", function () { if (cy) { runLayout(); } });
  $("fit").addEventListener("click", function () { if (cy) { cy.fit(cy.nodes().not(".filtered"), 24); } });
  $("area").addEventListener("change", applyFilters);
  $("show-ap").addEventListener("change", applyHighlights);
  $("show-links").addEventListener("change", applyHighlights);
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { search($("search").value); }, 200);
  });
  $("search").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    var matches = search($("search").value);
    if (matches.length) { select(matches[0], true); }
  });
  $("controls").addEventListener("submit", function (event) { event.preventDefault(); });

  if (!window.cytoscape) {
    $("network-error").textContent = "The drawing library did not load.";
    $("network-error").hidden = false;
    return;
  }
  load(config.graph);
})();
