// Build crates/hemi-server/assets/americas.json: the countries of the Americas as SVG
// paths, from Natural Earth admin-0 boundaries (public domain) as redistributed in the
// npm package world-atlas (TopoJSON, ISC licence).
//
// Run (network access to the npm registry needed once):
//   d=$(mktemp -d) && (cd "$d" && npm init -y >/dev/null && npm install world-atlas@2.0.2 topojson-client@3)
//   NODE_PATH="$d/node_modules" node scripts/make-map.mjs 50m > crates/hemi-server/assets/americas.json
//
// Projection: equirectangular (plate carrée) clipped to longitude -170..-30 and latitude
// -57..76, one unit per 0.14 degree, y growing south. Rings are simplified with
// Douglas-Peucker (tolerance in map units) and coordinates rounded to 0.1 unit.
// Countries are matched by ISO 3166 numeric (= UN M49) code through
// data/reference/countries.csv; only codes whose M49 region is "Americas" are kept.
// French Guiana is part of France's shape in Natural Earth: its ring inside the box is
// kept under GUF.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const require = createRequire(join(process.env.NODE_PATH ?? ".", "x.js"));
const topojson = require("topojson-client");
const scale = process.argv[2] ?? "110m";
const world = require(`world-atlas/countries-${scale}.json`);
const version = require("world-atlas/package.json").version;

const LON = [-170, -30];
const LAT = [-57, 76];
const UNIT = 0.14; // degrees per map unit
const TOLERANCE = Number(process.env.TOLERANCE ?? 0.8);

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const csv = readFileSync(join(root, "data/reference/countries.csv"), "utf8").trim().split("\n");
const header = csv[0].split(",");
const col = (name) => header.indexOf(name);
// The reference table quotes some names; the columns used here come before any quoted field.
const byM49 = new Map();
for (const line of csv.slice(1)) {
  const f = line.split(",");
  const m49 = f[col("m49")];
  if (!m49) continue;
  byM49.set(Number(m49), { iso3: f[col("iso3")], region: f[col("region")] });
}

const project = ([lon, lat]) => {
  const x = (Math.min(Math.max(lon, LON[0]), LON[1]) - LON[0]) / UNIT;
  const y = (LAT[1] - Math.min(Math.max(lat, LAT[0]), LAT[1])) / UNIT;
  return [x, y];
};

function perpendicular(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  return Math.abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / len;
}

function simplify(points, tolerance) {
  if (points.length < 4) return points;
  let max = 0, index = 0;
  const last = points.length - 1;
  for (let i = 1; i < last; i++) {
    const d = perpendicular(points[i], points[0], points[last]);
    if (d > max) { max = d; index = i; }
  }
  if (max <= tolerance) return [points[0], points[last]];
  const left = simplify(points.slice(0, index + 1), tolerance);
  const right = simplify(points.slice(index), tolerance);
  return left.slice(0, -1).concat(right);
}

const area = (ring) => {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i], [x2, y2] = ring[(i + 1) % ring.length];
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s / 2);
};

const inBox = (ring) => {
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return lon >= LON[0] && lon <= LON[1] && lat >= LAT[0] - 5 && lat <= LAT[1] + 10;
};

const round = (v) => Math.round(v * 10) / 10;

function pathOf(polygons) {
  const rings = [];
  let largest = null;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      if (!inBox(ring)) continue;
      const projected = ring.map(project);
      const simplified = simplify(projected, TOLERANCE);
      if (simplified.length >= 4 && area(simplified) >= 0.5) {
        rings.push(simplified);
      } else if (!largest || area(projected) > area(largest)) {
        largest = projected;
      }
    }
  }
  // A small island state keeps its largest island, lightly simplified, so it can be coloured.
  if (rings.length === 0 && largest) rings.push(simplify(largest, 0.1));
  if (rings.length === 0) return null;
  return rings
    .map((r) => "M" + r.slice(0, -1).map(([x, y]) => `${round(x)} ${round(y)}`).join("L") + "Z")
    .join("");
}

const countries = {};
for (const f of topojson.feature(world, world.objects.countries).features) {
  const m49 = Number(f.id);
  let code = byM49.get(m49);
  if (m49 === 250) code = { iso3: "GUF", region: "Americas" };
  if (!code || code.region !== "Americas") continue;
  const g = f.geometry;
  if (!g) continue;
  const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  const path = pathOf(polygons);
  if (path) countries[code.iso3] = path;
}

const width = Math.round((LON[1] - LON[0]) / UNIT);
const height = Math.round((LAT[1] - LAT[0]) / UNIT);
const sorted = Object.fromEntries(Object.keys(countries).sort().map((k) => [k, countries[k]]));
process.stdout.write(
  JSON.stringify({
    source: `Natural Earth admin-0 countries 1:${scale.replace("m", " million")} (public domain), via world-atlas ${version} (ISC); scripts/make-map.mjs`,
    projection: `equirectangular, lon ${LON[0]}..${LON[1]}, lat ${LAT[0]}..${LAT[1]}, ${UNIT} degree per unit`,
    width,
    height,
    countries: sorted,
  }, null, 0).replace(/,"([A-Z]{3})":/g, ',\n"$1":') + "\n",
);
