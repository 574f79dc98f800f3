/* The offline base map: land and sea, country and region borders, rivers, lakes, and labels of
 * countries, regions and cities at a density that fits the zoom. Drawn by Leaflet alone from one
 * JSON file served by the dashboard (no tiles, no internet). See docs/map.md, "Base maps".
 *
 * imOfflineBasemap.attach(map, group, options) fills the L.layerGroup `group` when it is shown
 * and, when options.fallback is set, shows it instead of the online tiles (options.tiles) if
 * they cannot be reached: the browser says it is offline, the first tiles all fail, or none has
 * loaded after options.timeout milliseconds.
 */
(function () {
  "use strict";
  var SEA = "#cddfee";
  var STYLE = {
    land: {stroke: false, fill: true, fillColor: "#f3f1ea", fillOpacity: 1, interactive: false},
    country: {color: "#6d6259", weight: 1.3, opacity: 0.9, fill: false, interactive: false},
    region: {color: "#9c948a", weight: 0.7, opacity: 0.9, dashArray: "3 3", fill: false, interactive: false},
    lake: {color: "#9dbbd6", weight: 0.6, fillColor: SEA, fillOpacity: 1, interactive: false},
    river: {color: "#8fb1d3", weight: 1.1, opacity: 0.9, interactive: false},
  };
  var cache = {};  // url -> Promise of the parsed data, shared by every map of the page

  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) throw new Error("base map data: HTTP " + r.status);
        return r.json();
      });
    }
    return cache[url];
  }

  function pane(map, name, z) {
    if (!map.getPane(name)) {
      var p = map.createPane(name);
      p.style.zIndex = String(z);
      p.style.pointerEvents = "none";
    }
    return name;
  }

  function labelCandidates(data) {
    // [lat, lng, text, minZoom, maxZoom, cls], most important first: countries, big cities,
    // regions, then the other cities by population (the file lists them so).
    var countries = [], big = [], regions = [], towns = [];
    (data.countries.features || []).forEach(function (f) {
      var p = f.properties;
      if (p.label && p.name) countries.push([p.label[1], p.label[0], p.name, 3, 6, "im-bm-country"]);
    });
    (data.regions.features || []).forEach(function (f) {
      var p = f.properties;
      if (p.label && p.name_en) regions.push([p.label[1], p.label[0], p.name_en, 6, 99, "im-bm-region"]);
    });
    (data.cities || []).forEach(function (c) {
      if (c[3] <= 5) big.push([c[1], c[0], c[2], c[3], 99, "im-bm-city im-bm-big"]);
      else towns.push([c[1], c[0], c[2], c[3], 99, "im-bm-city"]);
    });
    return countries.concat(big, regions, towns);
  }

  /* A label is a Leaflet marker placed with a 2-D transform. Leaflet places markers with
   * translate3d, which gives each of the (up to 400) labels a compositing layer of its own,
   * updated by the browser's compositor on every frame; a 2-D transform draws them with the
   * pane. Same place, same zoom animation (the transform still moves with the map). */
  var Label = null;
  function label(latlng, options) {
    if (!Label) {
      Label = L.Marker.extend({
        _setPos: function (pos) {
          if (this._icon) {
            this._icon._leaflet_pos = pos;
            this._icon.style.transform = "translate(" + pos.x + "px," + pos.y + "px)";
          }
          this._zIndex = pos.y + this.options.zIndexOffset;
          this._resetZIndex();
        }
      });
    }
    return new Label(latlng, options);
  }

  function drawLabels(map, layer, candidates) {
    layer.clearLayers();
    var zoom = map.getZoom();
    var view = map.getBounds().pad(0.1);
    var taken = {};
    var shown = 0;
    for (var i = 0; i < candidates.length && shown < 400; i++) {
      var c = candidates[i];
      if (zoom < c[3] || zoom > c[4] || !view.contains([c[0], c[1]])) continue;
      var pt = map.latLngToContainerPoint([c[0], c[1]]);
      var w = Math.max(1, Math.round((c[2].length * 7) / 60));
      var row = Math.floor(pt.y / 22), col = Math.floor(pt.x / 60);
      var free = true;
      for (var dx = -1; dx <= w && free; dx++) if (taken[row + ":" + (col + dx)]) free = false;
      if (!free) continue;  // a more important label is there already
      for (dx = -1; dx <= w; dx++) taken[row + ":" + (col + dx)] = true;
      var el = document.createElement("span");
      el.className = "im-bm-label " + c[5];
      el.textContent = c[2];
      label([c[0], c[1]], {
        pane: "imBasemapLabels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({className: "im-bm-anchor", html: el, iconSize: null}),
      }).addTo(layer);
      shown++;
    }
  }

  function fill(map, group, data) {
    var shapes = L.canvas({pane: pane(map, "imBasemap", 150), padding: 0.3});
    function geo(collection, style) {
      return L.geoJSON(collection, {style: style, renderer: shapes, interactive: false});
    }
    group.addLayer(geo(data.countries, STYLE.land));
    group.addLayer(geo(data.lakes, STYLE.lake));
    group.addLayer(geo(data.rivers, STYLE.river));
    group.addLayer(geo(data.regions, STYLE.region));
    group.addLayer(geo(data.countries, STYLE.country));
    pane(map, "imBasemapLabels", 350);
    var labels = L.layerGroup();
    var candidates = labelCandidates(data);
    var redraw = function () { if (map.hasLayer(group)) drawLabels(map, labels, candidates); };
    group.addLayer(labels);
    map.on("moveend", redraw);  // fired after every pan and zoom
    redraw();
    group._imBasemapReady = true;
  }

  function attach(map, group, options) {
    var attribution = options.attribution || "";
    group.on("add", function () {
      map.getContainer().style.background = SEA;
      if (attribution && map.attributionControl) map.attributionControl.addAttribution(attribution);
      if (group._imBasemapReady || group._imBasemapLoading) return;
      group._imBasemapLoading = true;
      load(options.url).then(function (data) {
        fill(map, group, data);
      }).catch(function (err) {
        group._imBasemapLoading = false;
        if (window.console) console.error(err);
      });
    });
    group.on("remove", function () {
      map.getContainer().style.background = "";
      if (attribution && map.attributionControl) map.attributionControl.removeAttribution(attribution);
    });
    if (options.fallback) watchTiles(map, group, options);
  }

  function watchTiles(map, group, options) {
    var tiles = (options.tiles || []).filter(Boolean);
    var switched = false;
    function fallBack(reason) {
      if (switched || map.hasLayer(group)) return;
      var shown = tiles.filter(function (t) { return map.hasLayer(t); });
      if (!shown.length) return;
      switched = true;
      shown.forEach(function (t) { map.removeLayer(t); });
      map.addLayer(group);
      map.fire("imbasemapfallback", {reason: reason});
    }
    tiles.forEach(function (t) {
      var loads = 0, errors = 0;
      t.on("tileload", function () { loads++; });
      t.on("tileerror", function () {
        errors++;
        if (!loads && errors >= (options.errors || 3) && map.hasLayer(t)) fallBack("tiles failed");
      });
      t._imLoads = function () { return loads; };
    });
    if (navigator.onLine === false) {
      fallBack("offline");
      return;
    }
    setTimeout(function () {
      var shown = tiles.filter(function (t) { return map.hasLayer(t); });
      if (shown.length && !shown.some(function (t) { return t._imLoads() > 0; })) fallBack("no tile loaded");
    }, options.timeout || 8000);
  }

  window.imOfflineBasemap = {attach: attach};
})();
