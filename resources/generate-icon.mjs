#!/usr/bin/env node
// Draws resources/icon.png (512x512): the app's mark, a membrane potential that charges, fires and
// resets, white on the accent navy. Same geometry as src-renderer/public/favicon.svg and the sidebar logo (32-unit grid).
// Plain node (zlib) so it needs no image library: `node resources/generate-icon.mjs`.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const UNIT = SIZE / 32;
const BACKGROUND = [0x16, 0x3c, 0x6e];
const STROKE = [0xff, 0xff, 0xff];
const CORNER = 7 * UNIT;
const HALF_WIDTH = (2.2 * UNIT) / 2;

/** The trace, in 32-unit coordinates, with its quadratic curves flattened into segments. */
function tracePoints() {
  const points = [];
  const quad = (p0, c, p1, steps = 32) => {
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      const x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t ** 2 * p1[0];
      const y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t ** 2 * p1[1];
      points.push([x, y]);
    }
  };
  // Two cycles of charge (rising towards the threshold, flattening), fire (a narrow spike), reset.
  quad([4, 24], [6.5, 15], [12.5, 14.5]);
  points.push([14, 6], [15.5, 24]);
  quad([15.5, 24], [18, 15], [24, 14.5]);
  points.push([25.5, 6], [27, 24]);
  return points.map(([x, y]) => [x * UNIT, y * UNIT]);
}

/** The dashed threshold line behind the trace. */
function thresholdDashes() {
  const dashes = [];
  for (let x = 4; x < 28; x += 3)
    dashes.push([
      [x * UNIT, 13 * UNIT],
      [Math.min(x + 1.6, 28) * UNIT, 13 * UNIT],
    ]);
  return dashes;
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Coverage of a rounded square at a pixel centre, anti-aliased over one pixel. */
function squareCoverage(x, y) {
  const cx = Math.max(CORNER - x, 0, x - (SIZE - CORNER));
  const cy = Math.max(CORNER - y, 0, y - (SIZE - CORNER));
  const outside = Math.hypot(cx, cy) - CORNER;
  return Math.max(0, Math.min(1, 0.5 - outside));
}

const points = tracePoints();
const dashes = thresholdDashes();
const DASH_HALF_WIDTH = (1 * UNIT) / 2;
const DASH_OPACITY = 0.45;
const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
  for (let x = 0; x < SIZE; x++) {
    const px = x + 0.5;
    const py = y + 0.5;
    let nearest = Infinity;
    for (let i = 1; i < points.length; i++)
      nearest = Math.min(nearest, distanceToSegment(px, py, points[i - 1], points[i]));
    let nearestDash = Infinity;
    for (const [a, b] of dashes) nearestDash = Math.min(nearestDash, distanceToSegment(px, py, a, b));
    const dash = DASH_OPACITY * Math.max(0, Math.min(1, DASH_HALF_WIDTH - nearestDash + 0.5));
    const stroke = Math.max(dash, Math.min(1, Math.max(0, HALF_WIDTH - nearest + 0.5)));
    const alpha = squareCoverage(px, py);
    const offset = 1 + x * 4;
    for (let c = 0; c < 3; c++)
      row[offset + c] = Math.round(BACKGROUND[c] * (1 - stroke) + STROKE[c] * stroke);
    row[offset + 3] = Math.round(alpha * 255);
  }
  rows.push(row);
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const target = new URL('./icon.png', import.meta.url);
writeFileSync(target, png);
console.log(`wrote ${target.pathname} (${png.length} bytes)`);
