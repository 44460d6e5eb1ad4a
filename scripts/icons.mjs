// The app's icons, drawn here (ours, no third-party art): a shell prompt ">_" on the terminal's background,
// inside the central 80% so that the same image works as a maskable icon. PNG encoded with node:zlib.
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(b) {
  let c = -1;
  for (const x of b) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Distance from (px, py) to the segment (ax, ay)-(bx, by). */
function dist(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The icon as a PNG of size x size pixels. */
export function renderIcon(size) {
  const bg = [0x1e, 0x1e, 0x1e], fg = [0x4e, 0xc9, 0xb0];
  const rgba = Buffer.alloc(size * size * 4);
  const w = 0.07; // stroke half-width, in units of the icon's size
  const strokes = [[0.28, 0.32, 0.46, 0.5], [0.46, 0.5, 0.28, 0.68], [0.52, 0.7, 0.74, 0.7]];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size, v = (y + 0.5) / size;
      const d = Math.min(...strokes.map(([ax, ay, bx, by]) => dist(u, v, ax, ay, bx, by)));
      // Antialiased edge over one pixel.
      const a = Math.max(0, Math.min(1, (w - d) * size + 0.5));
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(bg[c] * (1 - a) + fg[c] * a);
      rgba[i + 3] = 255;
    }
  }
  return png(size, rgba);
}
