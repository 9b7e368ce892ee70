/* lskg query page: a CodeMirror 5 SPARQL editor with prefix and term completion, the named
 * queries as a gallery, and results as a sortable table whose IRIs link to the pages here.
 * No framework and no other host: everything comes from this server. */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var config = JSON.parse($("query-config").textContent);
  var gallery = JSON.parse($("query-gallery").textContent);
  var byName = {};
  gallery.forEach(function (q) { byName[q.name] = q; });

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = {};
  ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte"].forEach(function (t) { NUMERIC[XSD + t] = true; });
  var ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";

  var state = {
    named: null,        // name of the named query the editor shows, while its text is unchanged
    vars: [],
    rows: [],           // SPARQL JSON bindings
    raw: null,          // the answer as SPARQL JSON (for the JSON download)
    sort: null,         // {index, dir: 1 | -1}
    showAll: false,
  };

  // ------------------------------------------------------------------ the editor

  var textarea = $("query-text");
  var editor = null;

  function getText() { return editor ? editor.getValue() : textarea.value; }
  function setText(text) {
    if (editor) { editor.setValue(text); } else { textarea.value = text; }
  }

  function declaredPrefixes(text) {
    var found = {};
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    var m;
    while ((m = re.exec(text)) !== null) { found[m[1] || ""] = m[2]; }
    return found;
  }

  function ensurePrefix(cm, prefix, ns) {
    if (Object.prototype.hasOwnProperty.call(declaredPrefixes(cm.getValue()), prefix)) { return; }
    var at = 0;
    for (var i = 0; i < cm.lineCount(); i++) {
      if (/^\s*(PREFIX|BASE)\b/i.test(cm.getLine(i))) { at = i + 1; }
    }
    cm.replaceRange("PREFIX " + prefix + ": <" + ns + ">\n", window.CodeMirror.Pos(at, 0));
  }

  function insertDeclaring(prefix, ns) {
    return function (cm, data, completion) {
      cm.replaceRange(completion.text, data.from, data.to, "complete");
      ensurePrefix(cm, prefix, ns);
    };
  }

  function sparqlHint(cm) {
    var Pos = window.CodeMirror.Pos;
    var cur = cm.getCursor();
    var line = cm.getLine(cur.line);
    var start = cur.ch;
    while (start > 0 && /[\w.:-]/.test(line.charAt(start - 1))) { start--; }
    var word = line.slice(start, cur.ch);
    var before = line.slice(0, start);
    var known = Object.assign({}, config.prefixes, declaredPrefixes(cm.getValue()));
    var list = [];
    if (/\bprefix\s+$/i.test(before)) {
      var stem = word.replace(/:$/, "").toLowerCase();
      Object.keys(config.prefixes).sort().forEach(function (p) {
        if (p.indexOf(stem) === 0) {
          list.push({ text: p + ": <" + config.prefixes[p] + ">", displayText: p + ": <" + config.prefixes[p] + ">" });
        }
      });
    } else if (word.indexOf(":") > 0) {
      var colon = word.indexOf(":");
      var prefix = word.slice(0, colon);
      var local = word.slice(colon + 1).toLowerCase();
      var ns = known[prefix];
      if (ns) {
        config.terms.forEach(function (t) {
          if (t.indexOf(ns) === 0 && t.length > ns.length) {
            var name = t.slice(ns.length);
            if (name.toLowerCase().indexOf(local) === 0 && /^[\w.-]+$/.test(name)) {
              list.push({ text: prefix + ":" + name, hint: insertDeclaring(prefix, ns) });
            }
          }
        });
      }
    } else {
      var lower = word.toLowerCase();
      Object.keys(known).sort().forEach(function (p) {
        if (p && p.indexOf(lower) === 0) {
          list.push({ text: p + ":", displayText: p + ":  " + known[p], hint: insertDeclaring(p, known[p]) });
        }
      });
    }
    return { list: list.slice(0, 200), from: Pos(cur.line, start), to: cur };
  }

  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      matchBrackets: true,
      indentUnit: 2,
      lineWrapping: true,
      screenReaderLabel: "SPARQL query",
      extraKeys: {
        "Ctrl-Enter": function () { run(); },
        "Cmd-Enter": function () { run(); },
        "Ctrl-Space": "autocomplete",
        "Ctrl-]": "indentMore",
        "Ctrl-[": "indentLess",
        // Tab moves focus on, as everywhere else on the page: no keyboard trap.
        Tab: false,
        "Shift-Tab": false,
      },
      hintOptions: { hint: sparqlHint, completeSingle: false },
    });
    editor.on("inputRead", function (cm, change) {
      if (change.text.length === 1 && change.text[0] === ":") { cm.showHint(); }
    });
    editor.on("change", function () {
      if (state.named && getText() !== byName[state.named].sparql) { leaveNamed(); }
    });
    var label = document.querySelector('label[for="query-text"]');
    if (label) { label.addEventListener("click", function () { editor.focus(); }); }
  } else {
    textarea.addEventListener("input", function () {
      if (state.named && getText() !== byName[state.named].sparql) { leaveNamed(); }
    });
  }

  // ------------------------------------------------------------------ named queries

  function paramFields(q, values) {
    var holder = $("named-fields");
    holder.textContent = "";
    q.parameters.forEach(function (p) {
      var wrap = document.createElement("p");
      var lab = document.createElement("label");
      var id = "param-" + p.name;
      lab.htmlFor = id;
      lab.textContent = p.name + " (" + p.type + ")";
      var input = document.createElement("input");
      input.id = id;
      input.name = p.name;
      input.type = "text";
      input.value = values && values[p.name] !== undefined ? values[p.name] : (p.default || "");
      input.required = !!p.required && !p.default;
      input.setAttribute("aria-describedby", id + "-help");
      var help = document.createElement("span");
      help.className = "help";
      help.id = id + "-help";
      help.textContent = p.description || "";
      wrap.appendChild(lab);
      wrap.appendChild(input);
      wrap.appendChild(help);
      holder.appendChild(wrap);
    });
    $("named-legend").textContent = "Parameters of " + q.name;
    $("named-params").hidden = q.parameters.length === 0;
  }

  function openNamed(name, values, autorun) {
    var q = byName[name];
    if (!q) { return; }
    state.named = null;
    setText(q.sparql);
    state.named = name;
    paramFields(q, values);
    var note = $("named-note");
    note.textContent = "Runs as the named query “" + q.name + "” (parameters bound by the server); edit the text to run your own.";
    note.hidden = false;
    document.querySelectorAll("#gallery a.example").forEach(function (a) {
      if (a.dataset.name === name) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
    });
    if (autorun) { run(); }
  }

  function leaveNamed() {
    state.named = null;
    $("named-params").hidden = true;
    $("named-note").hidden = true;
    document.querySelectorAll("#gallery a.example[aria-current]").forEach(function (a) {
      a.removeAttribute("aria-current");
    });
  }

  document.querySelectorAll("#gallery a.example").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      openNamed(a.dataset.name, null, true);
      (editor || textarea).focus();
    });
  });

  // ------------------------------------------------------------------ running

  function showError(message) {
    var box = $("error");
    box.textContent = message;
    box.hidden = false;
  }

  function parseNTriples(text) {
    var rows = [];
    var term = /\s*(<[^>]*>|_:[^\s]+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z][\w-]*|\^\^<[^>]*>)?)/y;
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim().charAt(0) === "#") { return; }
      term.lastIndex = 0;
      var parts = [];
      for (var i = 0; i < 3; i++) {
        var m = term.exec(line);
        if (!m) { return; }
        parts.push(toBinding(m[1]));
      }
      rows.push({ subject: parts[0], predicate: parts[1], object: parts[2] });
    });
    return rows;
  }

  function toBinding(token) {
    if (token.charAt(0) === "<") { return { type: "uri", value: token.slice(1, -1) }; }
    if (token.slice(0, 2) === "_:") { return { type: "bnode", value: token.slice(2) }; }
    var end = token.lastIndexOf('"');
    var lexical = token.slice(1, end).replace(/\\U([0-9A-Fa-f]{8})/g, function (_, hex) {
      return String.fromCodePoint(parseInt(hex, 16));
    });
    var b = { type: "literal", value: JSON.parse('"' + lexical + '"') };
    var rest = token.slice(end + 1);
    if (rest.charAt(0) === "@") { b["xml:lang"] = rest.slice(1); }
    if (rest.slice(0, 2) === "^^") { b.datatype = rest.slice(3, -1); }
    return b;
  }

  function shareUrl() {
    var params = new URLSearchParams();
    if (state.named) {
      params.set("name", state.named);
      namedValues().forEach(function (kv) { params.set(kv[0], kv[1]); });
    } else {
      params.set("query", getText());
    }
    return "/query?" + params.toString();
  }

  function namedValues() {
    var values = [];
    document.querySelectorAll("#named-fields input").forEach(function (input) {
      if (input.value.trim() !== "") { values.push([input.name, input.value.trim()]); }
    });
    return values;
  }

  var running = false;

  function run() {
    if (running) { return; }
    $("error").hidden = true;
    var request;
    if (state.named) {
      var missing = [];
      document.querySelectorAll("#named-fields input").forEach(function (input) {
        if (input.required && input.value.trim() === "") { missing.push(input.name); }
      });
      if (missing.length) {
        showError("Give a value for " + missing.join(", ") + ".");
        return;
      }
      var qs = new URLSearchParams(namedValues()).toString();
      request = fetch("/queries/" + encodeURIComponent(state.named) + (qs ? "?" + qs : ""), {
        headers: { Accept: ACCEPT },
      });
    } else {
      request = fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
        body: new URLSearchParams({ query: getText() }).toString(),
      });
    }
    var url = shareUrl();
    $("share").href = url;
    history.replaceState(null, "", url);
    running = true;
    $("run").disabled = true;
    $("results").setAttribute("aria-busy", "true");
    $("status").textContent = "Running…";
    var started = performance.now();
    request.then(function (res) {
      var type = res.headers.get("content-type") || "";
      var truncated = res.headers.get("X-LSKG-Truncated") === "true";
      return res.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!res.ok) {
          var message = body;
          try { message = JSON.parse(body).message || body; } catch (e) { /* plain text */ }
          showError("The query failed (" + res.status + "): " + message);
          $("status").textContent = "No results.";
          return;
        }
        if (type.indexOf("n-triples") >= 0) {
          var triples = parseNTriples(body);
          show(["subject", "predicate", "object"], triples,
            { head: { vars: ["subject", "predicate", "object"] }, results: { bindings: triples } }, ms, truncated);
        } else {
          var data = JSON.parse(body);
          if (Object.prototype.hasOwnProperty.call(data, "boolean")) {
            showBoolean(data, ms);
          } else {
            show(data.head.vars, data.results.bindings, data, ms, truncated);
          }
        }
      });
    }).catch(function (err) {
      showError("The query could not be sent: " + err);
      $("status").textContent = "No results.";
    }).then(function () {
      running = false;
      $("run").disabled = false;
      $("results").removeAttribute("aria-busy");
    });
  }

  // ------------------------------------------------------------------ results

  function localPath(iri) {
    if (iri.indexOf(config.ontology_ns) === 0) { return "/ontology#" + iri.slice(config.ontology_ns.length); }
    if (iri === config.ontology_iri) { return "/ontology"; }
    if (iri.indexOf(config.shapes_ns) === 0) { return "/shapes#" + iri.slice(config.shapes_ns.length); }
    if (iri.indexOf(config.base_iri) === 0 && iri.length > config.base_iri.length) {
      return "/" + iri.slice(config.base_iri.length);
    }
    return null;
  }

  function shortIri(iri) {
    if (iri.indexOf(config.base_iri) === 0 && iri.length > config.base_iri.length) {
      return iri.slice(config.base_iri.length);
    }
    var best = null;
    Object.keys(config.prefixes).forEach(function (p) {
      var ns = config.prefixes[p];
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length)) && (!best || ns.length > best[1].length)) {
        best = [p, ns];
      }
    });
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) {
      td.dataset.value = "";
      return td;
    }
    td.dataset.value = term.value;
    td.dataset.type = term.type;
    if (term.type === "uri") {
      var a = document.createElement("a");
      var here = localPath(term.value);
      a.href = here || term.value;
      a.title = term.value;
      a.textContent = shortIri(term.value);
      td.appendChild(a);
      if (!here) {
        a.rel = "external";
        var ext = document.createElement("span");
        ext.className = "ext";
        ext.textContent = " ↗";
        ext.setAttribute("aria-label", "(external link)");
        td.appendChild(ext);
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "blank";
    } else {
      var span = document.createElement("span");
      span.className = "literal";
      span.textContent = term.value;
      if (term["xml:lang"]) { span.lang = term["xml:lang"]; }
      td.appendChild(span);
      var tag = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype && term.datatype !== XSD + "string" ? shortIri(term.datatype) : "");
      if (tag) {
        var small = document.createElement("span");
        small.className = "tag";
        small.textContent = " " + tag;
        td.appendChild(small);
      }
      if (NUMERIC[term.datatype]) { td.className = "num"; }
    }
    return td;
  }

  function compare(a, b) {
    if (!a && !b) { return 0; }
    if (!a) { return 1; }   // unbound last, whichever the direction
    if (!b) { return -1; }
    if (NUMERIC[a.datatype] && NUMERIC[b.datatype]) { return Number(a.value) - Number(b.value); }
    return a.value.localeCompare(b.value, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortedRows() {
    if (!state.sort) { return state.rows; }
    var v = state.vars[state.sort.index];
    var dir = state.sort.dir;
    return state.rows.map(function (row, i) { return [row, i]; }).sort(function (x, y) {
      var a = x[0][v], b = y[0][v];
      if (!a || !b) { return compare(a, b) || x[1] - y[1]; }
      return dir * compare(a, b) || x[1] - y[1];
    }).map(function (pair) { return pair[0]; });
  }

  function renderTable() {
    var table = $("result-table");
    var thead = table.tHead;
    var tbody = table.tBodies[0];
    thead.textContent = "";
    tbody.textContent = "";
    var tr = document.createElement("tr");
    state.vars.forEach(function (v, index) {
      var th = document.createElement("th");
      th.scope = "col";
      var sorted = state.sort && state.sort.index === index;
      th.setAttribute("aria-sort", sorted ? (state.sort.dir > 0 ? "ascending" : "descending") : "none");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = v;
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = sorted ? (state.sort.dir > 0 ? " ▲" : " ▼") : " ↕";
      button.appendChild(mark);
      button.addEventListener("click", function () {
        var dir = state.sort && state.sort.index === index ? -state.sort.dir : 1;
        state.sort = { index: index, dir: dir };
        renderTable();
        table.tHead.querySelectorAll("button")[index].focus();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    var rows = sortedRows();
    var limit = state.showAll ? rows.length : Math.min(rows.length, config.max_rows_shown);
    var fragment = document.createDocumentFragment();
    for (var i = 0; i < limit; i++) {
      var row = document.createElement("tr");
      for (var j = 0; j < state.vars.length; j++) { row.appendChild(cell(rows[i][state.vars[j]])); }
      fragment.appendChild(row);
    }
    tbody.appendChild(fragment);
    table.hidden = false;
    $("show-all").hidden = limit >= rows.length;
  }

  function show(vars, rows, raw, ms, truncated) {
    state.vars = vars;
    state.rows = rows;
    state.raw = raw;
    state.sort = null;
    state.showAll = false;
    renderTable();
    var text = rows.length + (rows.length === 1 ? " row" : " rows") + " in " + ms + " ms";
    if (rows.length > config.max_rows_shown) { text += "; the first " + config.max_rows_shown + " are shown"; }
    if (truncated) { text += ". The service cut the result at its row limit."; }
    $("status").textContent = text + ".";
    $("downloads").hidden = false;
  }

  function showBoolean(data, ms) {
    state.vars = ["boolean"];
    state.rows = [{ boolean: { type: "literal", value: String(data.boolean), datatype: XSD + "boolean" } }];
    state.raw = data;
    renderTable();
    $("status").textContent = "ASK answered " + (data.boolean ? "yes (true)" : "no (false)") + " in " + ms + " ms.";
    $("downloads").hidden = false;
  }

  function csvField(value) {
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  $("download-csv").addEventListener("click", function () {
    var lines = [state.vars.map(csvField).join(",")];
    sortedRows().forEach(function (row) {
      lines.push(state.vars.map(function (v) { return csvField(row[v] ? row[v].value : ""); }).join(","));
    });
    download("lskg-results.csv", "text/csv", lines.join("\r\n") + "\r\n");
  });
  $("download-json").addEventListener("click", function () {
    download("lskg-results.json", "application/sparql-results+json", JSON.stringify(state.raw, null, 1));
  });
  $("show-all").addEventListener("click", function () {
    state.showAll = true;
    renderTable();
  });

  $("query-form").addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  // ------------------------------------------------------------------ start

  $("share").href = shareUrl();
  if (config.named) {
    openNamed(config.named, config.values, true);
  } else if (config.autorun) {
    run();
  }
  window.lskgQuery = { run: run, state: state, editor: editor };
})();
