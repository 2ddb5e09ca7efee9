// The warning form's map preview, kept in step while the author works: ticked districts are
// filled (a click on the map ticks or unticks one), polygons and circles are drawn as they are
// typed, and a filter narrows the list of districts. Without the script the form works the same
// and its Preview button redraws the map on the server. The projection's constants come from the
// map's data attributes (qalxan.web.alert_map), so that both sides draw the same shapes.
(function () {
  "use strict";
  var KM_PER_DEGREE = 111.32;
  var SVG = "http://www.w3.org/2000/svg";
  var NUMBER = "([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))";
  var PAIR = new RegExp("^" + NUMBER + "," + NUMBER + "$");
  var CIRCLE = new RegExp("^\\s*" + NUMBER + "\\s*,\\s*" + NUMBER + "\\s+" + NUMBER + "\\s*$");

  function points(block) {
    var found = [];
    block.replace(/\s*,\s*/g, ",").trim().split(/\s+/).forEach(function (token) {
      var m = PAIR.exec(token);
      if (m) { found.push([parseFloat(m[1]), parseFloat(m[2])]); }
    });
    return found;
  }

  document.querySelectorAll("svg[data-area-map][data-form]").forEach(function (svg) {
    var form = document.getElementById(svg.dataset.form);
    if (!form) { return; }
    var d = svg.dataset;
    var west = parseFloat(d.west), north = parseFloat(d.north);
    var scale = parseFloat(d.scale), shrink = parseFloat(d.shrink);
    var live = svg.querySelector("g.live");
    var polygons = form.querySelector("[name=polygons]");
    var circles = form.querySelector("[name=circles]");
    var boxes = form.querySelectorAll("input[name=district]");

    function xy(lat, lon) { return [(lon - west) * shrink * scale, (north - lat) * scale]; }
    function add(path, kind) {
      var shape = document.createElementNS(SVG, "path");
      shape.setAttribute("d", path);
      shape.setAttribute("class", kind);
      live.appendChild(shape);
    }
    function drawn() {
      while (live.firstChild) { live.removeChild(live.firstChild); }
      // What the server drew of the typed shapes is replaced by the live drawing.
      svg.querySelectorAll(".outlines .polygon, .outlines .circle").forEach(function (shape) {
        shape.style.display = "none";
      });
      polygons.value.split(/\n\s*\n/).forEach(function (block) {
        var ring = points(block);
        if (ring.length < 3) { return; }
        add("M" + ring.map(function (p) {
          var at = xy(p[0], p[1]);
          return at[0].toFixed(1) + " " + at[1].toFixed(1);
        }).join(" L") + "Z", "polygon");
      });
      circles.value.split("\n").forEach(function (line) {
        var m = CIRCLE.exec(line);
        if (!m) { return; }
        var lat = parseFloat(m[1]), km = parseFloat(m[3]);
        var at = xy(lat, parseFloat(m[2]));
        var ry = km / KM_PER_DEGREE * scale;
        var rx = km / (KM_PER_DEGREE * Math.max(Math.cos(lat * Math.PI / 180), 0.01)) * shrink * scale;
        add("M" + (at[0] - rx).toFixed(1) + " " + at[1].toFixed(1) +
          " a" + rx.toFixed(1) + " " + ry.toFixed(1) + " 0 1 0 " + (2 * rx).toFixed(1) + " 0" +
          " a" + rx.toFixed(1) + " " + ry.toFixed(1) + " 0 1 0 " + (-2 * rx).toFixed(1) + " 0Z", "circle");
      });
    }
    function chosen() {
      var on = {};
      boxes.forEach(function (box) { if (box.checked) { on[box.value] = true; } });
      svg.querySelectorAll(".districts path[data-code]").forEach(function (shape) {
        shape.classList.toggle("chosen", !!on[shape.dataset.code]);
      });
      svg.querySelectorAll(".outlines .district").forEach(function (shape) {
        shape.style.display = on[shape.dataset.code] ? "" : "none";
      });
    }
    svg.querySelector(".districts").addEventListener("click", function (event) {
      var shape = event.target.closest("path[data-code]");
      if (!shape) { return; }
      boxes.forEach(function (box) {
        if (box.value === shape.dataset.code) { box.checked = !box.checked; }
      });
      chosen();
    });
    boxes.forEach(function (box) { box.addEventListener("change", chosen); });
    polygons.addEventListener("input", drawn);
    circles.addEventListener("input", drawn);

    var filter = form.querySelector(".district-filter");
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }  // not a submit of the form
      });
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        form.querySelectorAll(".district-list label[data-name]").forEach(function (label) {
          var code = label.querySelector("input").value.toLowerCase();
          label.hidden = !!q && label.dataset.name.indexOf(q) < 0 && code.indexOf(q) < 0;
        });
      });
    }
    svg.dataset.live = "on";
  });
})();
