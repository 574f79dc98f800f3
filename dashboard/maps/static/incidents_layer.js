/* The incidents map layer, drawn in the browser from one payload.
 *
 *   var layer = IncidentsMap.layer(map, payload);  // an L.FeatureGroup; add it to the map
 *
 * `payload` is documented once, in payload.schema.json beside this file (built by
 * dashboard/maps/payload.py and build.py; both sides are tested against the schema). This file
 * is a plain script: in a page it defines `window.IncidentsMap`; under node (`node --test
 * tests/js`) `require` returns the same object, whose pure functions (decoding, styles, texts,
 * playback arithmetic) are unit-tested without a browser. Only `layer` needs Leaflet (`L`).
 *
 * Record text reaches the page only through `textContent` and `createTextNode`; links only
 * when `new URL(u).protocol` is http(s).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.IncidentsMap = api; }
}(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  var DAY_MS = 86400000;

  /* ---- decoding (payload.schema.json) ---------------------------------------------------- */

  /** `values` with each entry added to the one `stride` places before it (undoes 'deltas'). */
  function undelta(values, stride) {
    var out = values.slice();
    for (var i = stride; i < out.length; i++) { out[i] += out[i - stride]; }
    return out;
  }

  /** Entry `i` of a popup column ({v} or {d, i}); null when the column is missing. */
  function column(c, i) {
    if (!c) { return null; }
    return c.d ? c.d[c.i[i]] : c.v[i];
  }

  /** The incidents drawn one by one: positions in degrees, style objects, region indexes. */
  function decodePoints(P) {
    var n = P.lat.length, lat = new Array(n), lon = new Array(n);
    for (var i = 0; i < n; i++) { lat[i] = P.lat[i] / P.scale; lon[i] = P.lon[i] / P.scale; }
    return {
      n: n, lat: lat, lon: lon, style: P.style, styles: P.styles,
      region: P.region || null, regions: (P.regions || []).map(decodeRegion)
    };
  }

  /** A region's outline: rings of [lat, lon] in degrees. */
  function decodeRegion(r) {
    return r.rings.map(function (ring) {
      var abs = undelta(ring, 2), pts = [];
      for (var k = 0; k + 1 < abs.length; k += 2) { pts.push([abs[k] / r.scale, abs[k + 1] / r.scale]); }
      return pts;
    });
  }

  /** A hexagon level: centres in degrees, `ring(j)` the cell's vertices, sums with the ranges
   * filled in (a null `_low`/`_high` list equals the best one). */
  function decodeLevel(lv, hex) {
    var scale = hex.scale, nv = hex.vertices, stride = 2 * nv;
    var lat = undelta(lv.lat, 1), lon = undelta(lv.lon, 1), v = undelta(lv.v, stride);
    var out = {res: lv.res, minZoom: lv.minZoom, km: lv.km, n: lat.length, latI: lat, lonI: lon,
               lat: lat.map(function (x) { return x / scale; }),
               lon: lon.map(function (x) { return x / scale; })};
    ["incidents", "killed_unknown", "injured_unknown", "unconfirmed", "killed", "injured"].forEach(function (k) { out[k] = lv[k]; });
    ["killed", "injured"].forEach(function (k) {
      out[k + "_low"] = lv[k + "_low"] || lv[k];
      out[k + "_high"] = lv[k + "_high"] || lv[k];
    });
    out.ring = function (j) {
      var pts = [];
      for (var m = 0; m < nv; m++) {
        pts.push([(lat[j] + v[j * stride + 2 * m]) / scale, (lon[j] + v[j * stride + 2 * m + 1]) / scale]);
      }
      return pts;
    };
    return out;
  }

  /* ---- styles ---------------------------------------------------------------------------- */

  /** Fill colour of a hexagon holding `n` incidents: the last class whose lowest count n reaches. */
  function cellColor(classes, n) {
    var c = classes[0][1];
    for (var k = 0; k < classes.length; k++) { if (n >= classes[k][0]) { c = classes[k][1]; } }
    return c;
  }

  /** Leaflet path options of an incident's symbol (style: payload `points.styles[k]`). */
  function symbolOptions(s) {
    return {color: s.color, weight: s.weight, fillColor: s.fillColor, fillOpacity: s.fillOpacity,
            fill: true, dashArray: s.dashArray, radius: s.radius};
  }

  /** Options of a region's outline: the area style, never thinner than 1.5 px. */
  function regionOptions(s) {
    var o = symbolOptions(s);
    delete o.radius;
    o.weight = Math.max(s.weight, 1.5);
    return o;
  }

  /** The thin ring around a symbol near a town (style.halo), or null. */
  function haloOptions(s) {
    if (!s.halo) { return null; }
    return {radius: s.radius + 4, weight: 1, color: "#555555", opacity: 0.8, fill: false, interactive: false};
  }

  function cellOptions(color) {
    return {color: "#555555", weight: 0.6, opacity: 0.9, fillColor: color, fillOpacity: 0.65};
  }

  /* ---- texts ----------------------------------------------------------------------------- */

  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function plural(n, word) { return fmt(n) + " " + word + (n === 1 ? "" : "s"); }

  /** A summed figure as the KPIs say it: "12 (10–14); unknown for 1 incident". */
  function figureText(best, low, high, unknown) {
    var t = fmt(best);
    if (low !== best || high !== best) { t += " (" + fmt(low) + "–" + fmt(high) + ")"; }
    if (unknown) { t += "; unknown for " + plural(unknown, "incident"); }
    return t;
  }

  function isoDay(epochDay) { return new Date(epochDay * DAY_MS).toISOString().slice(0, 10); }
  function epochDay(iso) {
    var p = iso.split("-");
    return Math.round(Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS);
  }

  /* ---- time playback arithmetic -------------------------------------------------------------
   * Days count from time.start (day 0); a week runs Monday to Sunday, week 0 holding day 0.
   * Frame k of a step (1: day, 7: week) covers the days [first, last] of that day or week,
   * clipped to the selection's days; a cumulative frame starts at day 0. */

  var MEASURES = ["incidents", "killed", "killed_low", "killed_high", "killed_unknown",
                  "injured", "injured_low", "injured_high", "injured_unknown", "unconfirmed"];

  /** Index of the last entry of the sorted `keys` that is <= x (-1: none). */
  function lastAtMost(keys, x) {
    var lo = 0, hi = keys.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (keys[mid] <= x) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  /** Running totals of `values` (a copy). */
  function cumulate(values) {
    var out = new Float64Array(values.length), s = 0;
    for (var i = 0; i < values.length; i++) { s += values[i]; out[i] = s; }
    return out;
  }

  function Timeline(time) {
    this.time = time;
    this.start = epochDay(time.start);
    this.days = time.days;
    this.offset = ((this.start + 3) % 7 + 7) % 7;  /* days from the Monday of week 0 to day 0 */
    var S = time.sums, cum = {};
    MEASURES.forEach(function (k) { cum[k] = cumulate(S[k] || S[k.replace(/_(low|high)$/, "")]); });
    this.sumDays = S.day;
    this.cum = cum;
    this.cells = time.cells ? decodeCells(time.cells) : null;
  }

  /** Per cell: sorted periods with incidents and the running count up to each. */
  function decodeCells(C) {
    var periods = [], counts = [], ti = 0, ci = 0;
    for (var j = 0; j < C.n.length; j++) {
      var n = C.n[j], ps = [], cs = [], run = 0;
      if (n > 0) {
        var t = 0;
        for (var k = 0; k < n; k++) {
          t = k === 0 ? C.t[ti] : t + C.t[ti];
          ti++;
          run += C.c[ci++];
          ps.push(t); cs.push(run);
        }
      } else if (n < 0) {
        var first = C.t[ti++];
        for (var m = 0; m < -n; m++) {
          var c = C.c[ci++];
          if (c) { run += c; ps.push(first + m); cs.push(run); }
        }
      }
      periods.push(ps); counts.push(cs);
    }
    return {level: C.level, step: C.step, periods: periods, counts: counts};
  }

  Timeline.prototype.steps = function () {
    /* Hexagons sent per week cannot play day by day. */
    return this.cells && this.cells.step === 7 ? [7] : [1, 7];
  };
  Timeline.prototype.defaultStep = function () {
    var steps = this.steps();
    return steps.indexOf(1) >= 0 && this.days <= 92 ? 1 : 7;
  };
  Timeline.prototype.frameCount = function (step) {
    return step === 1 ? this.days : Math.ceil((this.days + this.offset) / 7);
  };
  /** [first, last] day of frame k. */
  Timeline.prototype.range = function (k, step, cumulative) {
    var first = step === 1 ? k : k * 7 - this.offset, last = step === 1 ? k : first + 6;
    first = cumulative ? 0 : Math.max(first, 0);
    return [first, Math.min(last, this.days - 1)];
  };
  /** Sums of the days first..last: {incidents, killed: {best, low, high, unknown}, injured, unconfirmed}. */
  Timeline.prototype.sums = function (first, last) {
    var a = lastAtMost(this.sumDays, first - 1), b = lastAtMost(this.sumDays, last), cum = this.cum;
    function between(k) { return Math.round((b >= 0 ? cum[k][b] : 0) - (a >= 0 ? cum[k][a] : 0)); }
    function figure(k) {
      return {best: between(k), low: between(k + "_low"), high: between(k + "_high"), unknown: between(k + "_unknown")};
    }
    return {incidents: between("incidents"), killed: figure("killed"), injured: figure("injured"),
            unconfirmed: between("unconfirmed")};
  };
  /** Incidents of hexagon j (of time.cells' level) in the days first..last. */
  Timeline.prototype.cellCount = function (j, first, last) {
    var C = this.cells, a = first, b = last;
    if (C.step === 7) { a = Math.floor((first + this.offset) / 7); b = Math.floor((last + this.offset) / 7); }
    var ps = C.periods[j], cs = C.counts[j];
    var hi = lastAtMost(ps, b), lo = lastAtMost(ps, a - 1);
    return (hi >= 0 ? cs[hi] : 0) - (lo >= 0 ? cs[lo] : 0);
  };
  /** True when day d is in [first, last]. */
  Timeline.prototype.shows = function (d, first, last) { return d >= first && d <= last; };
  Timeline.prototype.date = function (d) { return isoDay(this.start + d); };
  Timeline.prototype.label = function (first, last) {
    return first === last ? this.date(first) : this.date(first) + " – " + this.date(last);
  };

  /* ---- the Leaflet layer ----------------------------------------------------------------- */

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function safeUrl(u) {
    if (typeof u !== "string") { return null; }
    try {
      var p = new URL(u);
      if ((p.protocol === "http:" || p.protocol === "https:") && p.hostname) { return p.href; }
    } catch (err) { /* not a URL: shown as text */ }
    return null;
  }

  function row(box, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var r = el("div", null, "im-row");
    r.appendChild(el("b", label + ": "));
    r.appendChild(document.createTextNode(String(value)));
    box.appendChild(r);
  }

  function tipNode(parts) {
    var t = el("div", null, "im-tip");
    parts.forEach(function (p) { if (p) { t.appendChild(el("div", p)); } });
    return t;
  }

  /** The legend control: event types and symbol keys present (payload.legend). */
  function makeLegend(spec) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "im-legend");
      var det = el("details");
      det.open = true;
      det.appendChild(el("summary", spec.title));
      spec.entries.forEach(function (e) {
        var item = el("div", null, "im-item");
        if (e.sizes) {
          var sizes = el("span", null, "im-sizes");
          e.sizes.forEach(function (d) {
            var c = el("span", null, "im-sw");
            Object.assign(c.style, {width: d + "px", height: d + "px", borderRadius: "50%",
                                    background: "#bbbbbb", border: "1px solid #1a1a1a"});
            sizes.appendChild(c);
          });
          item.appendChild(sizes);
        } else if (e.swatch) {
          var sw = el("span", null, "im-sw");
          Object.keys(e.swatch).forEach(function (k) { sw.style[k] = e.swatch[k]; });
          item.appendChild(sw);
        }
        item.appendChild(el("span", e.label));
        det.appendChild(item);
      });
      if (spec.note) { det.appendChild(el("div", spec.note, "im-small")); }
      div.appendChild(det);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return ctl;
  }

  /* Paths the time control can hide without taking them off the canvas (their drawing order,
     areas under circles, is kept): a hidden path is neither drawn nor hit by the mouse. */
  var hideable = null;
  function timed(Base) {
    return Base.extend({
      _updatePath: function () { if (!this._imHidden) { Base.prototype._updatePath.call(this); } },
      _containsPoint: function (p) { return !this._imHidden && Base.prototype._containsPoint.call(this, p); }
    });
  }
  function hide(path, hidden) {
    if (path._imHidden === hidden) { return; }
    path._imHidden = hidden;
    path.setStyle({});  /* asks the canvas to redraw the path's area on the next frame */
  }

  function layer(map, D) {
    if (!hideable) {
      hideable = {CircleMarker: timed(L.CircleMarker), Circle: timed(L.Circle), Polygon: timed(L.Polygon)};
    }
    var group = L.featureGroup();
    var renderer = L.canvas({padding: 0.5});
    var onView = [];
    var timeline = D.time ? new Timeline(D.time) : null;
    var shown = null;  /* [first, last] day of the time control's frame; null: every date */

    function popupAt(latlng, node) {
      L.popup({maxWidth: 360, maxHeight: 340, autoPanPadding: [16, 16]})
        .setLatLng(latlng).setContent(node).openOn(map);
    }

    /* ---- incidents drawn one by one ---- */
    var P = D.points, pointPaths = [];
    function col(name, i) { return column(P.cols[name], i); }
    function incidentPopup(i) {
      var box = el("div", null, "im-popup");
      box.appendChild(el("div", col("title", i), "im-title"));
      row(box, "Date", col("date", i));
      row(box, "Place", col("place", i));
      row(box, "Location", col("precision", i));
      box.appendChild(el("b", "Casualties:"));
      var cas = el("ul", null, "im-list");
      cas.appendChild(el("li", col("killed", i)));
      cas.appendChild(el("li", col("injured", i)));
      box.appendChild(cas);
      row(box, "Status", col("status", i));
      row(box, "Actors", col("actors", i));
      var src = col("sources", i) || [];
      if (src.length) {
        box.appendChild(el("b", "Sources:"));
        var ul = el("ul", null, "im-list im-sources");
        src.forEach(function (s) {
          var li = el("li");
          var href = safeUrl(s[1]);
          var label = s[0] || (href ? new URL(href).hostname : "source");
          if (href) {
            var a = el("a", label);
            a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer nofollow";
            li.appendChild(a);
          } else {
            li.appendChild(document.createTextNode(label));
            if (s[2]) { li.appendChild(document.createTextNode(" (" + s[2] + ")")); }
          }
          if (s[3]) { li.appendChild(document.createTextNode(" · " + s[3])); }
          if (s[4]) { li.appendChild(el("q", s[4])); }
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
      var notes = col("notes", i);
      if (notes) { box.appendChild(el("p", notes, "im-notes")); }
      if (col("shortened", i)) { box.appendChild(el("div", "Text shortened on the map; the table and exports have it in full.", "im-small")); }
      box.appendChild(el("div", "Event " + col("id", i), "im-small"));
      return box;
    }
    if (P) {
      var pts = decodePoints(P);
      var pointsGroup = L.featureGroup();
      for (var i = 0; i < pts.n; i++) {
        var s = pts.styles[pts.style[i]], ll = L.latLng(pts.lat[i], pts.lon[i]), paths = [];
        var halo = haloOptions(s), opts = symbolOptions(s), m;
        opts.renderer = renderer;
        if (halo) {
          halo.renderer = renderer;
          paths.push(new hideable.CircleMarker(ll, halo));
        }
        var r = pts.region ? pts.region[i] : -1;
        if (s.kind === "area" && r >= 0) {
          var ro = regionOptions(s);
          ro.renderer = renderer;
          m = new hideable.Polygon(pts.regions[r], ro);
          m._imAt = ll;
        } else {
          m = s.kind === "area" ? new hideable.Circle(ll, opts) : new hideable.CircleMarker(ll, opts);
        }
        m._imIndex = i;
        paths.push(m);
        paths.forEach(function (p) { pointsGroup.addLayer(p); });
        pointPaths.push(paths);
      }
      pointsGroup.on("click", function (e) {
        var i = e.layer._imIndex;
        if (i === undefined) { return; }
        popupAt(e.layer._imAt ? e.latlng : e.layer.getLatLng(), incidentPopup(i));
      });
      pointsGroup.on("mouseover", function (e) {
        var m = e.layer, i = m._imIndex;
        if (i === undefined || m.getTooltip()) { return; }
        m.bindTooltip(tipNode([col("date", i), col("place_short", i), col("event_type", i)]), {sticky: true});
        m.openTooltip(e.latlng);
      });
      group.addLayer(pointsGroup);
    }
    if (D.box) {
      group.addLayer(L.rectangle([[D.box[0], D.box[1]], [D.box[2], D.box[3]]],
        {renderer: renderer, color: "#333333", weight: 2, dashArray: "8 6", fill: false, interactive: false}));
    }

    /* ---- hexagon aggregates ---- */
    var H = D.hex, levels = [], cellsGroup = null, playCells = null;
    function levelFor(z) {
      var best = 0;
      levels.forEach(function (lv, li) { if (z >= lv.minZoom) { best = li; } });
      return best;
    }
    function inView(lv) {
      var b = map.getBounds().pad(0.5), out = [];
      var s = b.getSouth(), n = b.getNorth(), w = b.getWest(), e = b.getEast();
      for (var j = 0; j < lv.n; j++) {
        if (lv.lat[j] >= s && lv.lat[j] <= n && lv.lon[j] >= w && lv.lon[j] <= e) { out.push(j); }
      }
      return out;
    }
    function cellPopup(lv, j) {
      var box = el("div", null, "im-popup");
      box.appendChild(el("div", plural(lv.incidents[j], "incident") + " in this hexagon", "im-title"));
      row(box, "Killed", figureText(lv.killed[j], lv.killed_low[j], lv.killed_high[j], lv.killed_unknown[j]));
      row(box, "Injured", figureText(lv.injured[j], lv.injured_low[j], lv.injured_high[j], lv.injured_unknown[j]));
      row(box, "Claimed or disputed, not confirmed", fmt(lv.unconfirmed[j]));
      if (shown) { box.appendChild(el("p", "All dates of the selection (the time control shows " + timeline.label(shown[0], shown[1]) + ").", "im-small")); }
      box.appendChild(el("p", H.note, "im-notes"));
      box.appendChild(el("div", "Hexagon about " + lv.km + " km across (H3 resolution " + lv.res + ").", "im-small"));
      return box;
    }
    if (H && H.levels.length) {
      levels = H.levels.map(function (lv) { return decodeLevel(lv, H); });
      cellsGroup = L.featureGroup();
      var cache = {};
      var cell = function (li, j) {
        var key = li + ":" + j;
        if (!cache[key]) {
          var o = cellOptions(cellColor(H.classes, levels[li].incidents[j]));
          o.renderer = renderer;
          var p = L.polygon(levels[li].ring(j), o);
          p._imCell = [li, j];
          cache[key] = p;
        }
        return cache[key];
      };
      onView.push(function () {
        if (shown) { return; }
        var li = levelFor(map.getZoom());
        cellsGroup.clearLayers();
        inView(levels[li]).forEach(function (j) { cellsGroup.addLayer(cell(li, j)); });
      });
      cellsGroup.on("click", function (e) {
        var c = e.layer._imCell;
        if (c) { popupAt(e.latlng, cellPopup(levels[c[0]], c[1])); }
      });
      cellsGroup.on("mouseover", function (e) {
        var p = e.layer, c = e.layer._imCell;
        if (!c || p.getTooltip()) { return; }
        var lv = levels[c[0]];
        p.bindTooltip(tipNode([plural(lv.incidents[c[1]], "incident"), fmt(lv.killed[c[1]]) + " killed (known figures)"]), {sticky: true});
        p.openTooltip(e.latlng);
      });
      group.addLayer(cellsGroup);
      cellsGroup.bringToBack();
    }

    /* ---- time playback: the hexagons of one level, coloured by the frame's counts ---- */
    var control = null;
    if (timeline) {
      var playLevel = timeline.cells ? levels[timeline.cells.level] : null;
      var playCache = {};
      playCells = playLevel ? L.featureGroup() : null;
      var playCell = function (j) {
        if (!playCache[j]) {
          var o = cellOptions(H.classes[0][1]);
          o.renderer = renderer;
          var p = new hideable.Polygon(playLevel.ring(j), o);
          p._imPlay = j;
          playCache[j] = p;
        }
        return playCache[j];
      };
      var paintCells = function () {
        if (!playCells) { return; }
        playCells.eachLayer(function (p) {
          var n = timeline.cellCount(p._imPlay, shown[0], shown[1]);
          p._imCount = n;
          if (n > 0) {
            var c = cellColor(H.classes, n);
            if (p.options.fillColor !== c) { p.setStyle({fillColor: c}); }
          }
          hide(p, n === 0);
        });
      };
      var placeCells = function () {
        if (!playCells || !shown) { return; }
        playCells.clearLayers();
        inView(playLevel).forEach(function (j) { playCells.addLayer(playCell(j)); });
        paintCells();
      };
      onView.push(placeCells);
      if (playCells) {
        playCells.on("mouseover", function (e) {
          var p = e.layer;
          if (p._imPlay === undefined) { return; }
          p.unbindTooltip();
          p.bindTooltip(tipNode([plural(p._imCount || 0, "incident"), timeline.label(shown[0], shown[1])]), {sticky: true});
          p.openTooltip(e.latlng);
        });
      }
      var show = function (range) {
        var was = shown;
        shown = range;
        if (P) {
          var days = D.time.pointDay;
          for (var i = 0; i < pointPaths.length; i++) {
            var hidden = !!range && !timeline.shows(days[i], range[0], range[1]);
            pointPaths[i].forEach(function (p) { hide(p, hidden); });
          }
        }
        if (cellsGroup) {
          if (range && !was) {
            group.removeLayer(cellsGroup);
            if (playCells) { group.addLayer(playCells); playCells.bringToBack(); }
          } else if (!range && was) {
            if (playCells) { group.removeLayer(playCells); }
            group.addLayer(cellsGroup);
            cellsGroup.bringToBack();
            onView.forEach(function (f) { f(); });
          }
          if (range && !was) { placeCells(); } else if (range) { paintCells(); }
        }
      };
      control = timeControl(timeline, D.time, show, !!cellsGroup && !playCells);
    }

    /* ---- life cycle: the legend, the time control, the view handler and the first fit live
       while the layer is on a map, so a replaced layer (streamlit-folium's feature_group_to_add)
       leaves nothing behind ---- */
    var legend = D.legend ? makeLegend(D.legend) : null;
    function update() { onView.forEach(function (f) { f(); }); }
    group.on("add", function () {
      /* In streamlit-folium, the view (bounds, zoom, centre) goes back to the page only when the
         page redraws for it (hexagons that turn into incidents on zoom): elsewhere a pan or a
         zoom must not rerun the page. Its frontend reads this list on every move. */
      var G = window.__GLOBAL_DATA__;
      if (G && Array.isArray(G.returned_objects)) { G.returned_objects = D.reportView ? ["bounds", "zoom", "center"] : []; }
      if (legend) { legend.addTo(map); }
      if (control) { control.addTo(map); }
      if (onView.length) { map.on("zoomend moveend", update); }
      if (D.fit && map._imFitted !== D.fit.key && !(D.fit.soft && map._imFitted)) {
        map._imFitted = D.fit.key;
        var fit = {padding: [24, 24], maxZoom: 10};
        var target = map._getBoundsCenterZoom(L.latLngBounds(D.fit.bounds), fit);
        /* A new selection over the area already in view (a filter change, mostly) does not
           move the map: Leaflet would "move" it by nothing and still redraw the base map, its
           labels and every hexagon. */
        var offset = map._loaded ? map._getCenterOffset(target.center)._trunc() : null;
        if (!offset || target.zoom !== map.getZoom() || offset.x || offset.y) { map.fitBounds(D.fit.bounds, fit); }
      }
      if (onView.length) { map.whenReady(update); }
    });
    group.on("remove", function () {
      if (legend) { legend.remove(); }
      if (control) { control.stop(); control.remove(); }
      if (onView.length) { map.off("zoomend moveend", update); }
      map.closePopup();
    });
    group._imTime = control;
    return group;
  }

  /* ---- the time control ------------------------------------------------------------------ */

  var SPEEDS = [["1 frame/s", 1000], ["3 frames/s", 333], ["8 frames/s", 125]];

  /** A Leaflet control that plays the selection frame by frame: play/pause, a slider to drag
   * through time, the frame's dates and KPIs, day/week and window/cumulative choices. `show`
   * gets the frame's [first, last] day, or null for every date. */
  function timeControl(timeline, time, show, cellsFrozen) {
    var ctl = L.control({position: "bottomleft"});
    var state = {step: timeline.defaultStep(), cumulative: false, frame: 0, active: false, timer: null, speed: SPEEDS[1][1]};
    var ui = {};

    function frames() { return timeline.frameCount(state.step); }
    function render() {
      var range = state.active ? timeline.range(state.frame, state.step, state.cumulative) : [0, timeline.days - 1];
      var sums = timeline.sums(range[0], range[1]);
      ui.date.textContent = state.active
        ? (state.cumulative ? "Up to " + timeline.date(range[1]) + " (from " + timeline.date(0) + ")" : timeline.label(range[0], range[1]))
        : "All dates: " + timeline.label(range[0], range[1]);
      ui.incidents.textContent = fmt(sums.incidents);
      ui.killed.textContent = figureText(sums.killed.best, sums.killed.low, sums.killed.high, sums.killed.unknown);
      ui.injured.textContent = figureText(sums.injured.best, sums.injured.low, sums.injured.high, sums.injured.unknown);
      ui.unconfirmed.textContent = sums.unconfirmed ? fmt(sums.unconfirmed) + " claimed or disputed, not confirmed" : "";
      ui.slider.max = String(frames() - 1);
      ui.slider.value = String(state.active ? state.frame : frames() - 1);
      ui.play.textContent = state.timer ? "❚❚" : "▶";
      ui.play.title = state.timer ? "Pause" : "Play";
      ui.play.setAttribute("aria-label", ui.play.title);
      ui.all.disabled = !state.active;
      show(state.active ? range : null);
      ctl.frameShown = state.active ? {frame: state.frame, first: range[0], last: range[1], sums: sums} : null;
    }
    function go(frame) {
      state.active = true;
      state.frame = Math.max(0, Math.min(frame, frames() - 1));
      render();
    }
    function stop() {
      if (state.timer) { clearInterval(state.timer); state.timer = null; }
    }
    function tick() {
      if (state.frame >= frames() - 1) { stop(); render(); return; }
      go(state.frame + 1);
    }
    function play() {
      if (state.timer) { stop(); render(); return; }
      if (!state.active || state.frame >= frames() - 1) { go(0); } else { render(); }
      state.timer = setInterval(tick, state.speed);
      render();
    }
    function select(label, options, value, onChange) {
      var wrap = el("label", null, "im-time-field");
      wrap.appendChild(el("span", label));
      var sel = el("select");
      options.forEach(function (o) {
        var opt = el("option", o[0]);
        opt.value = String(o[1]);
        if (o[2]) { opt.disabled = true; opt.title = o[2]; }
        sel.appendChild(opt);
      });
      sel.value = String(value);
      sel.addEventListener("change", function () { onChange(sel.value); });
      wrap.appendChild(sel);
      return {wrap: wrap, select: sel};
    }
    function kpi(box, label) {
      var r = el("div", null, "im-time-kpi");
      r.appendChild(el("b", label + ": "));
      var v = el("span");
      r.appendChild(v);
      box.appendChild(r);
      return v;
    }

    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "im-time");
      var top = el("div", null, "im-time-row");
      ui.play = el("button", "▶", "im-time-play");
      ui.play.type = "button";
      ui.play.addEventListener("click", play);
      top.appendChild(ui.play);
      ui.slider = el("input", null, "im-time-slider");
      ui.slider.type = "range";
      ui.slider.min = "0";
      ui.slider.step = "1";
      ui.slider.setAttribute("aria-label", "Date");
      ui.slider.addEventListener("input", function () { stop(); go(parseInt(ui.slider.value, 10)); });
      top.appendChild(ui.slider);
      div.appendChild(top);
      ui.date = el("div", null, "im-time-date");
      div.appendChild(ui.date);
      var opts = el("div", null, "im-time-row");
      var weekOnly = timeline.steps().indexOf(1) < 0 ? "Too many hexagons to send day by day: weeks only" : null;
      ui.step = select("Step", [["Day", 1, weekOnly], ["Week", 7]], state.step, function (v) {
        var wasActive = state.active, day = timeline.range(state.frame, state.step, false)[0];
        state.step = parseInt(v, 10);
        if (wasActive) {  /* stay on the same date */
          go(state.step === 1 ? day : Math.floor((day + timeline.offset) / 7));
        } else { render(); }
      });
      opts.appendChild(ui.step.wrap);
      ui.mode = select("Show", [["Window", "window"], ["Cumulative", "cumulative"]], "window", function (v) {
        state.cumulative = v === "cumulative";
        if (state.active) { go(state.frame); } else { render(); }
      });
      opts.appendChild(ui.mode.wrap);
      ui.speed = select("Speed", SPEEDS.map(function (s) { return [s[0], s[1]]; }), state.speed, function (v) {
        state.speed = parseInt(v, 10);
        if (state.timer) { stop(); state.timer = setInterval(tick, state.speed); }
      });
      opts.appendChild(ui.speed.wrap);
      ui.all = el("button", "All dates", "im-time-all");
      ui.all.type = "button";
      ui.all.addEventListener("click", function () { stop(); state.active = false; render(); });
      opts.appendChild(ui.all);
      div.appendChild(opts);
      var kpis = el("div", null, "im-time-kpis");
      ui.incidents = kpi(kpis, "Incidents");
      ui.killed = kpi(kpis, "Killed");
      ui.injured = kpi(kpis, "Injured");
      ui.unconfirmed = el("div", null, "im-small");
      kpis.appendChild(ui.unconfirmed);
      div.appendChild(kpis);
      if (cellsFrozen) {
        div.appendChild(el("div", "Too many hexagon frames for this selection: hexagons are hidden while playing; narrow the dates to play them.", "im-small"));
      }
      var about = el("details", null, "im-small");
      about.appendChild(el("summary", "How frames count"));
      about.appendChild(el("div",
        "A frame shows the incidents of its day or week (Window), or of every day up to its end (Cumulative). " +
        "Unknown casualty figures are counted apart, never as zero." + (time.note ? " " + time.note : "")));
      div.appendChild(about);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      render();
      return div;
    };
    ctl.stop = stop;
    /* For tests and benchmarks: draw frame k (of the current step) at once. */
    ctl.go = go;
    ctl.frames = frames;
    ctl.state = state;
    return ctl;
  }

  return {
    MEASURES: MEASURES,
    Timeline: Timeline,
    cellColor: cellColor,
    cellOptions: cellOptions,
    column: column,
    decodeLevel: decodeLevel,
    decodePoints: decodePoints,
    decodeRegion: decodeRegion,
    epochDay: epochDay,
    figureText: figureText,
    fmt: fmt,
    haloOptions: haloOptions,
    isoDay: isoDay,
    layer: layer,
    regionOptions: regionOptions,
    safeUrl: safeUrl,
    symbolOptions: symbolOptions,
    undelta: undelta
  };
}));
