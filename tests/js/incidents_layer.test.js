/* Unit tests of dashboard/maps/static/incidents_layer.js under node: `node --test tests/js`.
 *
 * The decoder, the styles, the texts and the playback arithmetic are pure functions. Hand-made
 * payloads test them case by case; when INCIDENTS_MAP_SAMPLES names a folder of payloads built
 * by Python with the answers Python expects (tests/dashboard/test_js.py writes it), every one
 * is checked against the schema and decoded to those answers too. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const IM = require("../../dashboard/maps/static/incidents_layer.js");
const { validate } = require("./schema.js");

const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../dashboard/maps/static/payload.schema.json"), "utf8"));

/* ---- hand-made payload pieces ---- */

function column(values) { return { v: values }; }

const STYLE = { kind: "marker", radius: 6, color: "#1a1a1a", weight: 1, fillColor: "#0072B2",
  fillOpacity: 0.8, dashArray: null, halo: false };

function points(n) {
  const cols = {};
  for (const k of ["id", "title", "event_type", "date", "place", "place_short", "precision",
    "killed", "injured", "status", "actors", "notes"]) {
    cols[k] = column(Array.from({ length: n }, (_, i) => `${k} ${i}`));
  }
  cols.sources = column(Array.from({ length: n }, () => []));
  cols.shortened = { d: [0], i: Array(n).fill(0) };
  return {
    scale: 100000, lat: [5058925, 4648572].slice(0, n), lon: [3455367, 3074383].slice(0, n),
    style: Array(n).fill(0), styles: [STYLE], region: Array(n).fill(-1), regions: [], cols,
  };
}

function sums(days, incidents, killed) {
  return { day: days, incidents, killed, killed_low: null, killed_high: null,
    killed_unknown: days.map(() => 0), injured: days.map(() => 0), injured_low: null,
    injured_high: null, injured_unknown: days.map(() => 1), unconfirmed: days.map(() => 0) };
}

function payload(extra) {
  return Object.assign({ version: 2, points: null, hex: null, box: null, legend: null,
    fit: null, reportView: false, time: null }, extra);
}

/* ---- schema ---- */

test("a hand-made payload follows the schema, and broken ones do not", () => {
  const good = payload({
    points: points(2),
    time: { start: "2025-07-03", days: 3, pointDay: [0, 2], sums: sums([0, 2], [1, 1], [3, 0]),
      cells: null, undated: 0, note: "" },
  });
  assert.deepEqual(validate(good, SCHEMA), []);
  const wrongScale = structuredClone(good);
  wrongScale.points.scale = 10000;
  assert.match(validate(wrongScale, SCHEMA).join("\n"), /points\.scale/);
  const missing = structuredClone(good);
  delete missing.time.sums.unconfirmed;
  assert.match(validate(missing, SCHEMA).join("\n"), /missing unconfirmed/);
  const extra = structuredClone(good);
  extra.points.styles[0].radiusPx = 3;
  assert.match(validate(extra, SCHEMA).join("\n"), /unexpected radiusPx/);
  const badStep = structuredClone(good);
  badStep.time.cells = { level: 0, step: 3, n: [], t: [], c: [] };
  assert.match(validate(badStep, SCHEMA).join("\n"), /time\.cells/);
});

/* ---- decoding ---- */

test("undelta adds each value to the one stride places before it", () => {
  assert.deepEqual(IM.undelta([5, 1, -2, 4], 1), [5, 6, 4, 8]);
  assert.deepEqual(IM.undelta([10, 20, 1, 2, 1, 2], 2), [10, 20, 11, 22, 12, 24]);
  assert.deepEqual(IM.undelta([], 12), []);
});

test("a column is read from its values or its dictionary", () => {
  assert.equal(IM.column({ v: ["a", "b"] }, 1), "b");
  assert.equal(IM.column({ d: ["x", "y"], i: [1, 0, 1] }, 2), "y");
  assert.equal(IM.column(undefined, 0), null);
});

test("points decode to degrees with their styles", () => {
  const p = IM.decodePoints(points(2));
  assert.equal(p.n, 2);
  assert.deepEqual([p.lat[0], p.lon[0]], [50.58925, 34.55367]);
  assert.equal(p.styles[p.style[1]].fillColor, "#0072B2");
  assert.deepEqual(p.region, [-1, -1]);
});

test("a region decodes to closed rings in degrees", () => {
  const rings = IM.decodeRegion({ name: "R", code: "XX-R", scale: 10000,
    rings: [[520000, 390000, 10000, 0, 0, 10000, -10000, 0, 0, -10000]] });
  assert.deepEqual(rings, [[[52, 39], [53, 39], [53, 40], [52, 40], [52, 39]]]);
});

test("a hexagon level decodes centres, vertices and missing ranges", () => {
  const hex = { scale: 10000, vertices: 6, classes: [[1, "#fde725"]], note: "" };
  const ring = [100, 0, 50, 87, -50, 87, -100, 0, -50, -87, 50, -87];
  const lv = { res: 3, minZoom: 0, km: 120, lat: [500000, 100], lon: [300000, -200],
    v: ring.concat(ring.map(() => 0)), incidents: [2, 5], killed: [1, 0], killed_low: null,
    killed_high: [3, 0], killed_unknown: [0, 1], injured: [0, 0], injured_low: null,
    injured_high: null, injured_unknown: [0, 0], unconfirmed: [0, 0] };
  const d = IM.decodeLevel(lv, hex);
  assert.deepEqual([d.lat[1], d.lon[1]], [50.01, 29.98]);
  assert.deepEqual(d.ring(0)[0], [50.01, 30]);
  assert.deepEqual(d.ring(1)[3], [50, 29.98]);  /* second cell: same offsets (deltas of 0) */
  assert.deepEqual(d.killed_low, [1, 0]);
  assert.deepEqual(d.killed_high, [3, 0]);
});

/* ---- styles and texts ---- */

test("hexagon colours follow the classes' lowest counts", () => {
  const classes = [[1, "a"], [10, "b"], [100, "c"]];
  assert.deepEqual([1, 9, 10, 99, 100, 5000].map((n) => IM.cellColor(classes, n)),
    ["a", "a", "b", "b", "c", "c"]);
});

test("symbol options keep the style; unknown stays hollow; a halo only near a town", () => {
  const hollow = Object.assign({}, STYLE, { fillOpacity: 0, weight: 2.5, dashArray: "6 4" });
  const o = IM.symbolOptions(hollow);
  assert.equal(o.fillOpacity, 0);
  assert.equal(o.dashArray, "6 4");
  assert.equal(o.radius, 6);
  assert.equal(IM.haloOptions(STYLE), null);
  const halo = IM.haloOptions(Object.assign({}, STYLE, { halo: true }));
  assert.equal(halo.radius, 10);
  assert.equal(halo.interactive, false);
  const area = { kind: "area", radius: 30000, color: "#0072B2", weight: 1, fillColor: "#0072B2",
    fillOpacity: 0.18, dashArray: null, halo: false };
  const region = IM.regionOptions(area);
  assert.equal(region.radius, undefined);
  assert.equal(region.weight, 1.5);
  assert.equal(region.fillOpacity, 0.18);
});

test("figures read as the KPIs do: ranges and unknowns kept apart from zero", () => {
  assert.equal(IM.figureText(12, 10, 14, 1), "12 (10–14); unknown for 1 incident");
  assert.equal(IM.figureText(0, 0, 0, 0), "0");
  assert.equal(IM.figureText(1234, 1234, 1234, 3), "1,234; unknown for 3 incidents");
});

test("safeUrl keeps http(s) links only", () => {
  assert.equal(IM.safeUrl("https://example.org/a"), "https://example.org/a");
  assert.equal(IM.safeUrl("javascript:alert(1)"), null);
  assert.equal(IM.safeUrl("data:text/html,x"), null);
  assert.equal(IM.safeUrl(42), null);
});

/* ---- playback ---- */

test("days and dates convert both ways", () => {
  assert.equal(IM.epochDay("1970-01-02"), 1);
  assert.equal(IM.isoDay(IM.epochDay("2025-07-03")), "2025-07-03");
});

test("frames: days, Monday weeks, windows and cumulative ranges", () => {
  /* 2025-07-03 is a Thursday: week 0 runs Mon 06-30 to Sun 07-06, so day 0 is its 4th day. */
  const t = new IM.Timeline({ start: "2025-07-03", days: 12, pointDay: null,
    sums: sums([0, 3, 4, 11], [2, 1, 1, 5], [1, 0, 2, 4]), cells: null, undated: 0, note: "" });
  assert.equal(t.offset, 3);
  assert.equal(t.frameCount(1), 12);
  assert.equal(t.frameCount(7), 3);  /* 07-03..07-06, 07-07..07-13, 07-14 */
  assert.deepEqual(t.range(0, 7, false), [0, 3]);
  assert.deepEqual(t.range(1, 7, false), [4, 10]);
  assert.deepEqual(t.range(2, 7, false), [11, 11]);
  assert.deepEqual(t.range(1, 7, true), [0, 10]);
  assert.deepEqual(t.range(5, 1, false), [5, 5]);
  assert.equal(t.label(0, 3), "2025-07-03 – 2025-07-06");
  assert.equal(t.defaultStep(), 1);
  const week1 = t.sums(4, 10);
  assert.equal(week1.incidents, 1);
  assert.deepEqual(week1.killed, { best: 2, low: 2, high: 2, unknown: 0 });
  assert.equal(week1.injured.unknown, 1);
  assert.equal(t.sums(0, 11).incidents, 9);
  assert.equal(t.sums(1, 2).incidents, 0);
  assert.equal(t.sums(5, 10).killed.best, 0);
});

test("hexagon frames decode sparse and dense cells", () => {
  /* cell 0: sparse, periods 2 and 7; cell 1: dense from 1, counts 3, 0, 4; cell 2: empty */
  const cells = { level: 0, step: 1, n: [2, -3, 0], t: [2, 5, 1], c: [1, 2, 3, 0, 4] };
  const t = new IM.Timeline({ start: "2025-07-03", days: 10, pointDay: null,
    sums: sums([0], [10], [0]), cells, undated: 0, note: "" });
  assert.equal(t.cellCount(0, 0, 9), 3);
  assert.equal(t.cellCount(0, 3, 7), 2);
  assert.equal(t.cellCount(0, 2, 2), 1);
  assert.equal(t.cellCount(1, 2, 2), 0);
  assert.equal(t.cellCount(1, 0, 3), 7);
  assert.equal(t.cellCount(2, 0, 9), 0);
  assert.deepEqual(t.steps(), [1, 7]);
});

test("hexagons sent per week play per week only", () => {
  const cells = { level: 0, step: 7, n: [2], t: [0, 1], c: [5, 6] };
  const t = new IM.Timeline({ start: "2025-07-03", days: 10, pointDay: null,
    sums: sums([0], [11], [0]), cells, undated: 0, note: "" });
  assert.deepEqual(t.steps(), [7]);
  assert.equal(t.defaultStep(), 7);
  assert.equal(t.cellCount(0, ...t.range(0, 7, false)), 5);
  assert.equal(t.cellCount(0, ...t.range(1, 7, false)), 6);
  assert.equal(t.cellCount(0, ...t.range(1, 7, true)), 11);
});

/* ---- payloads built by Python, with Python's answers ---- */

const SAMPLES = process.env.INCIDENTS_MAP_SAMPLES;
const sampleFiles = SAMPLES ? fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".json")).sort() : [];

test("payloads built by Python (INCIDENTS_MAP_SAMPLES)", { skip: !SAMPLES && "INCIDENTS_MAP_SAMPLES not set" }, async (t) => {
  assert.ok(sampleFiles.length > 0, `no samples in ${SAMPLES}`);
  for (const file of sampleFiles) {
    await t.test(file, () => {
      const { payload: p, expect } = JSON.parse(fs.readFileSync(path.join(SAMPLES, file), "utf8"));
      assert.deepEqual(validate(p, SCHEMA), []);
      if (expect.points) {
        const pts = IM.decodePoints(p.points);
        expect.points.forEach(([i, lat, lon]) => {
          assert.ok(Math.abs(pts.lat[i] - lat) < 1e-9 && Math.abs(pts.lon[i] - lon) < 1e-9);
        });
      }
      if (expect.regions) {
        const pts = IM.decodePoints(p.points);
        expect.regions.forEach(([i, code, [s, w, n, e]]) => {
          const r = p.points.region[i];
          assert.equal(p.points.regions[r].code, code);
          const all = pts.regions[r].flat();
          const lats = all.map((q) => q[0]), lons = all.map((q) => q[1]);
          assert.ok(Math.abs(Math.min(...lats) - s) < 0.02 && Math.abs(Math.max(...lats) - n) < 0.02);
          assert.ok(Math.abs(Math.min(...lons) - w) < 0.02 && Math.abs(Math.max(...lons) - e) < 0.02);
        });
      }
      if (expect.centres) {
        expect.centres.forEach(([li, j, lat, lon]) => {
          const lv = IM.decodeLevel(p.hex.levels[li], p.hex);
          assert.ok(Math.abs(lv.lat[j] - lat) < 1e-9 && Math.abs(lv.lon[j] - lon) < 1e-9);
        });
      }
      const timeline = new IM.Timeline(p.time);
      (expect.frames || []).forEach(([step, k, cumulative, first, last, want]) => {
        assert.deepEqual(timeline.range(k, step, cumulative), [first, last]);
        const got = timeline.sums(first, last);
        assert.deepEqual([got.incidents, got.killed.best, got.killed.low, got.killed.high, got.killed.unknown,
          got.injured.best, got.injured.low, got.injured.high, got.injured.unknown, got.unconfirmed], want,
          `${file}: step ${step} frame ${k}${cumulative ? " cumulative" : ""}`);
      });
      (expect.cells || []).forEach(([j, first, last, want]) => {
        assert.equal(timeline.cellCount(j, first, last), want, `${file}: cell ${j}, days ${first}-${last}`);
      });
    });
  }
});
