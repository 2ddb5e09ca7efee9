// Progressive enhancement: live results under a search form marked data-live-search.
// Pages work without JavaScript; this only saves a round trip while typing.
(function () {
  "use strict";
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var input = form.querySelector("input[type=search]");
    var target = form.querySelector(".live-results");
    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        var mine = ++seq;
        if (!q) { target.innerHTML = ""; return; }
        fetch(form.action + "?partial=1&q=" + encodeURIComponent(q), { headers: { Accept: "text/html" } })
          .then(function (r) { return r.text(); })
          .then(function (html) { if (mine === seq) { target.innerHTML = html; } });
      }, 150);
    });
  });
})();

// The report form's map: a click on the districts fills in the latitude and longitude inputs
// and moves the marker; typed coordinates move it too. The projection's constants come from the
// server (qalxan.web.maps) in data attributes, so the two sides cannot drift apart.
(function () {
  "use strict";
  document.querySelectorAll("svg[data-pick-map]").forEach(function (svg) {
    var d = svg.dataset;
    var west = parseFloat(d.west), north = parseFloat(d.north);
    var scale = parseFloat(d.scale), shrink = parseFloat(d.shrink);
    var lat = document.getElementById(d.lat), lon = document.getElementById(d.lon);
    var marker = svg.querySelector(".marker");
    var output = document.getElementById(d.output);
    var picked = null;
    function show(x, y) {
      marker.setAttribute("transform", "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ")");
      marker.style.display = "";
    }
    function mark(path) {
      if (picked) { picked.classList.remove("picked"); }
      picked = path;
      if (path) { path.classList.add("picked"); }
      if (output) { output.textContent = path ? path.querySelector("title").textContent + ":" : ""; }
    }
    svg.addEventListener("click", function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var p = point.matrixTransform(svg.getScreenCTM().inverse());
      lon.value = (west + p.x / (shrink * scale)).toFixed(5);
      lat.value = (north - p.y / scale).toFixed(5);
      show(p.x, p.y);
      mark(event.target.closest("path[data-code]"));
    });
    function typed() {
      var la = parseFloat((lat.value || "").replace(",", "."));
      var lo = parseFloat((lon.value || "").replace(",", "."));
      mark(null);
      if (isFinite(la) && isFinite(lo)) { show((lo - west) * shrink * scale, (north - la) * scale); }
      else { marker.style.display = "none"; }
    }
    lat.addEventListener("input", typed);
    lon.addEventListener("input", typed);
    document.querySelectorAll("[data-clear-point]").forEach(function (button) {
      button.addEventListener("click", function () { lat.value = ""; lon.value = ""; typed(); });
    });
    typed();
  });
})();

// Live updates of the incident queue: the server-sent event stream names incidents that were
// created or changed since the page was drawn; a row at the top says how many, and links to a
// fresh copy of the page. Rows are not patched in place: the filters and the order are the
// server's, and a reload costs one request.
(function () {
  "use strict";
  var table = document.querySelector("table[data-live-feed]");
  if (!table || !window.EventSource) { return; }
  var after = table.dataset.liveAfter;
  var kinds = table.dataset.liveKinds.split(" ");
  var changed = {};
  var row = null;
  function notice() {
    var n = Object.keys(changed).length;
    var text = n === 1 ? table.dataset.liveOne : table.dataset.liveMany.replace("{n}", n);
    if (!row) {
      row = document.createElement("tr");
      row.className = "live-notice";
      row.setAttribute("role", "status");
      var cell = document.createElement("td");
      cell.colSpan = table.querySelectorAll("thead th").length;
      var link = document.createElement("a");
      link.href = window.location.pathname + window.location.search;
      cell.appendChild(link);
      row.appendChild(cell);
      var body = table.tBodies[0];
      body.insertBefore(row, body.firstChild);
    }
    row.querySelector("a").textContent = text;
  }
  function open() {
    var source = new EventSource(table.dataset.liveFeed + "?seconds=300&after=" + after);
    kinds.forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        var item = JSON.parse(event.data);
        after = item.id;
        changed[item.record_id] = true;
        notice();
      });
    });
    // The stream ends after its time; start again from the last event seen (not from the URL's
    // first position, which the browser's own reconnection would reuse).
    source.addEventListener("error", function () {
      source.close();
      setTimeout(open, 3000);
    });
  }
  open();
})();

// A batch screening's progress: polls the batch's state until it is done or failed, moves the
// progress bar and shows the download link. Without the script the page has a refresh link.
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-poll]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var state = box.querySelector("#batch-state");
  var link = box.querySelector("#batch-download");
  function say(template, job) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return job[key] == null ? "" : job[key]; });
  }
  function show(job) {
    bar.max = job.total;
    bar.value = job.done;
    state.dataset.state = job.state;
    if (job.state === "done") {
      state.textContent = say(box.dataset.textDone, job);
      link.href = job.results;
      link.hidden = false;
    } else if (job.state === "failed") {
      state.textContent = box.dataset.textFailed + " " + (job.error || "");
    } else {
      state.textContent = say(box.dataset.textRunning, job);
    }
    return job.state === "running";
  }
  function poll() {
    fetch(box.dataset.batchPoll, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (job) { if (show(job)) { setTimeout(poll, 700); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (state.dataset.state === "running") { poll(); }
})();
