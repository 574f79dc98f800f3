function makeLegend(spec) {
  var ctl = L.control({position: "bottomright"});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "im-legend");
    var det = document.createElement("details");
    det.open = true;
    var sum = document.createElement("summary");
    sum.textContent = spec.title;
    det.appendChild(sum);
    spec.entries.forEach(function (e) {
      var item = document.createElement("div");
      item.className = "im-item";
      if (e.sizes) {
        var sizes = document.createElement("span");
        sizes.className = "im-sizes";
        e.sizes.forEach(function (d) {
          var c = document.createElement("span");
          c.className = "im-sw";
          Object.assign(c.style, {width: d + "px", height: d + "px", borderRadius: "50%",
                                  background: "#bbbbbb", border: "1px solid #1a1a1a"});
          sizes.appendChild(c);
        });
        item.appendChild(sizes);
      } else if (e.swatch) {
        var sw = document.createElement("span");
        sw.className = "im-sw";
        Object.keys(e.swatch).forEach(function (k) { sw.style[k] = e.swatch[k]; });
        item.appendChild(sw);
      }
      var label = document.createElement("span");
      label.textContent = e.label;
      item.appendChild(label);
      det.appendChild(item);
    });
    if (spec.note) {
      var note = document.createElement("div");
      note.className = "im-small";
      note.textContent = spec.note;
      det.appendChild(note);
    }
    div.appendChild(det);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  return ctl;
}
