var {{ this.get_name() }} = (function (map) {
  "use strict";
  var D = {{ this.payload }};
  var group = L.featureGroup();
  var renderer = L.canvas({padding: 0.5});
  var onView = null;
  /* makeLegend(spec): static/map_legend.js, put here by layer.py */
  /*@legend@*/
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
    } catch (err) {}
    return null;
  }
  function row(box, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var r = el("div", null, "im-row");
    r.appendChild(el("b", label + ": "));
    r.appendChild(document.createTextNode(String(value)));
    box.appendChild(r);
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function popupAt(latlng, node) {
    L.popup({maxWidth: 360, maxHeight: 340, autoPanPadding: [16, 16]})
      .setLatLng(latlng).setContent(node).openOn(map);
  }
  function tipNode(parts) {
    var t = el("div", null, "im-tip");
    parts.forEach(function (p) { if (p) { t.appendChild(el("div", p)); } });
    return t;
  }

  /* ---- incidents drawn one by one ---- */
  var P = D.points;
  function col(name, i) {
    var c = P.cols[name];
    if (!c) { return null; }
    return c.d ? c.d[c.i[i]] : c.v[i];
  }
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
    var pointsGroup = L.featureGroup();
    var S = P.styles.map(function (s) {
      return {kind: s[0], radius: s[1], color: s[2], weight: s[3], fillColor: s[4],
              fillOpacity: s[5], dashArray: s[6], halo: s[7]};
    });
    for (var i = 0; i < P.lat.length; i++) {
      var s = S[P.style[i]];
      var ll = L.latLng(P.lat[i] / 1e5, P.lon[i] / 1e5);
      var opts = {renderer: renderer, color: s.color, weight: s.weight, fillColor: s.fillColor,
                  fillOpacity: s.fillOpacity, fill: true, dashArray: s.dashArray, radius: s.radius};
      if (s.halo) {
        pointsGroup.addLayer(L.circleMarker(ll, {renderer: renderer, radius: s.radius + 4, weight: 1,
          color: "#555555", opacity: 0.8, fill: false, interactive: false}));
      }
      var m = s.kind === "area" ? L.circle(ll, opts) : L.circleMarker(ll, opts);
      m._imIndex = i;
      pointsGroup.addLayer(m);
    }
    pointsGroup.on("click", function (e) {
      var i = e.layer._imIndex;
      if (i === undefined) { return; }
      popupAt(e.layer.getLatLng(), incidentPopup(i));
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
  var H = D.hex;
  if (H && H.levels.length) {
    H.levels.forEach(function (lv) {  /* undo payload.cell_payload's compaction */
      var i;
      for (i = 1; i < lv.lat.length; i++) { lv.lat[i] += lv.lat[i - 1]; lv.lon[i] += lv.lon[i - 1]; }
      for (i = 12; i < lv.v.length; i++) { lv.v[i] += lv.v[i - 12]; }
      ["killed", "injured"].forEach(function (n) {
        ["_low", "_high"].forEach(function (s) { if (!lv[n + s]) { lv[n + s] = lv[n]; } });
      });
    });
    var cellsGroup = L.featureGroup();
    var cache = {};
    function classColor(n) {
      var c = H.classes[0][1];
      H.classes.forEach(function (k) { if (n >= k[0]) { c = k[1]; } });
      return c;
    }
    function figure(lv, j, name) {
      var best = lv[name][j], lo = lv[name + "_low"][j], hi = lv[name + "_high"][j], unk = lv[name + "_unknown"][j];
      var t = fmt(best);
      if (lo !== best || hi !== best) { t += " (" + fmt(lo) + "–" + fmt(hi) + ")"; }
      if (unk) { t += "; unknown for " + fmt(unk) + " incident" + (unk === 1 ? "" : "s"); }
      return t;
    }
    function cellPopup(lv, j) {
      var box = el("div", null, "im-popup");
      var n = lv.incidents[j];
      box.appendChild(el("div", fmt(n) + " incident" + (n === 1 ? "" : "s") + " in this hexagon", "im-title"));
      row(box, "Killed", figure(lv, j, "killed"));
      row(box, "Injured", figure(lv, j, "injured"));
      row(box, "Claimed or disputed, not confirmed", fmt(lv.unconfirmed[j]));
      box.appendChild(el("p", H.note, "im-notes"));
      box.appendChild(el("div", "Hexagon about " + lv.km + " km across (H3 resolution " + lv.res + ").", "im-small"));
      return box;
    }
    function cell(li, j) {
      var key = li + ":" + j;
      if (cache[key]) { return cache[key]; }
      var lv = H.levels[li], clat = lv.lat[j], clon = lv.lon[j], pts = [];
      for (var k = 0; k < 6; k++) {
        pts.push([(clat + lv.v[j * 12 + 2 * k]) / 1e4, (clon + lv.v[j * 12 + 2 * k + 1]) / 1e4]);
      }
      var p = L.polygon(pts, {renderer: renderer, color: "#555555", weight: 0.6, opacity: 0.9,
                              fillColor: classColor(lv.incidents[j]), fillOpacity: 0.65});
      p._imCell = [li, j];
      cache[key] = p;
      return p;
    }
    function levelFor(z) {
      var best = 0;
      H.levels.forEach(function (lv, li) { if (z >= lv.minZoom) { best = li; } });
      return best;
    }
    function update() {
      var li = levelFor(map.getZoom()), lv = H.levels[li];
      var b = map.getBounds().pad(0.5);
      var s = b.getSouth(), n = b.getNorth(), w = b.getWest(), e = b.getEast();
      cellsGroup.clearLayers();
      for (var j = 0; j < lv.lat.length; j++) {
        var la = lv.lat[j] / 1e4, lo = lv.lon[j] / 1e4;
        if (la >= s && la <= n && lo >= w && lo <= e) { cellsGroup.addLayer(cell(li, j)); }
      }
    }
    cellsGroup.on("click", function (e) {
      var c = e.layer._imCell;
      if (!c) { return; }
      popupAt(e.latlng, cellPopup(H.levels[c[0]], c[1]));
    });
    cellsGroup.on("mouseover", function (e) {
      var p = e.layer, c = p._imCell;
      if (!c || p.getTooltip()) { return; }
      var lv = H.levels[c[0]], n = lv.incidents[c[1]];
      p.bindTooltip(tipNode([fmt(n) + " incident" + (n === 1 ? "" : "s"), fmt(lv.killed[c[1]]) + " killed (known figures)"]), {sticky: true});
      p.openTooltip(e.latlng);
    });
    onView = update;
    group.addLayer(cellsGroup);
    cellsGroup.bringToBack();
  }

  /* ---- life cycle: the legend, the view handler and the first fit live while the layer is on
     a map, so a replaced layer (streamlit-folium's feature_group_to_add) leaves nothing behind ---- */
  var legend = D.legend ? makeLegend(D.legend) : null;
  group.on("add", function () {
    /* In streamlit-folium, the view (bounds, zoom, centre) goes back to the page only when the
       page redraws for it (hexagons that turn into incidents on zoom): elsewhere a pan or a
       zoom must not rerun the page. Its frontend reads this list on every move. */
    var G = window.__GLOBAL_DATA__;
    if (G && Array.isArray(G.returned_objects)) { G.returned_objects = D.reportView ? ["bounds", "zoom", "center"] : []; }
    if (legend) { legend.addTo(map); }
    if (onView) { map.on("zoomend moveend", onView); }
    if (D.fit && map._imFitted !== D.fit.key && !(D.fit.soft && map._imFitted)) {
      map._imFitted = D.fit.key;
      map.fitBounds(D.fit.bounds, {padding: [24, 24], maxZoom: 10});
    }
    if (onView) { map.whenReady(onView); }
  });
  group.on("remove", function () {
    if (legend) { legend.remove(); }
    if (onView) { map.off("zoomend moveend", onView); }
    map.closePopup();
  });
  return group;
})({{ this._parent.get_name() }});
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
