// A small QR code encoder for the demo's TOTP set-up (byte mode, error correction level L,
// versions 1-10: up to 271 bytes, plenty for an otpauth:// URI). Written from ISO/IEC 18004:
// data + Reed-Solomon blocks, interleaving, function patterns, zig-zag placement, the mask with
// the lowest penalty, BCH-coded format and version information.

// [data codewords per block, blocks, EC codewords per block] for level L, versions 1-10
// (version 10 has two groups: 2 blocks of 68 and 2 of 69).
const L_BLOCKS = [
  null,
  [[19, 1]], [[34, 1]], [[55, 1]], [[80, 1]], [[108, 1]],
  [[68, 2]], [[78, 2]], [[97, 2]], [[116, 2]], [[68, 2], [69, 2]],
];
const L_EC = [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18];

// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

function rsRemainder(data, ecLen) {
  // Generator (x - a^0)(x - a^1)...(x - a^(ecLen-1)), coefficients high to low, leading 1 dropped.
  let gen = [1];
  for (let i = 0; i < ecLen; i++) {
    const next = new Array(gen.length + 1).fill(0);
    for (let j = 0; j < gen.length; j++) {
      next[j] ^= gen[j];
      next[j + 1] ^= mul(gen[j], EXP[i]);
    }
    gen = next;
  }
  const rem = new Array(ecLen).fill(0);
  for (const d of data) {
    const factor = d ^ rem.shift();
    rem.push(0);
    for (let j = 0; j < ecLen; j++) rem[j] ^= mul(gen[j + 1], factor);
  }
  return rem;
}

function alignmentPositions(version) {
  if (version === 1) return [];
  const size = version * 4 + 17;
  const count = Math.floor(version / 7) + 2;
  const step = Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const pos = [6];
  for (let i = count - 2; i >= 0; i--) pos.push(size - 7 - i * step);
  return pos;
}

/** `value` followed by its BCH remainder for the generator `poly` of degree `deg`. */
function bch(value, poly, deg) {
  let rem = value;
  for (let i = 0; i < deg; i++) rem = (rem << 1) ^ ((rem >> (deg - 1)) & 1 ? poly : 0);
  return (value << deg) | (rem & ((1 << deg) - 1));
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

/** Encodes text (UTF-8) into a square matrix of booleans (true = dark). */
export function qrMatrix(text) {
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  const capacity = (v) => L_BLOCKS[v].reduce((n, [d, b]) => n + d * b, 0);
  while (version <= 10 && 4 + (version < 10 ? 8 : 16) + bytes.length * 8 > capacity(version) * 8) version++;
  if (version > 10) throw new Error('text too long for this QR encoder');
  const size = version * 4 + 17;

  // Data bits: byte mode, length, payload, terminator, padding.
  const bits = [];
  const put = (v, n) => { for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  bytes.forEach((b) => put(b, 8));
  const cap = capacity(version) * 8;
  put(0, Math.min(4, cap - bits.length));
  while (bits.length % 8) bits.push(0);
  for (let pad = 0; bits.length < cap; pad ^= 1) put(pad ? 0x11 : 0xec, 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  // Blocks, EC, interleaving.
  const blocks = [];
  let offset = 0;
  for (const [len, count] of L_BLOCKS[version]) {
    for (let i = 0; i < count; i++) {
      const d = data.slice(offset, offset + len);
      offset += len;
      blocks.push({ d, e: rsRemainder(d, L_EC[version]) });
    }
  }
  const codewords = [];
  const maxData = Math.max(...blocks.map((b) => b.d.length));
  for (let i = 0; i < maxData; i++) for (const b of blocks) if (i < b.d.length) codewords.push(b.d[i]);
  for (let i = 0; i < L_EC[version]; i++) for (const b of blocks) codewords.push(b.e[i]);

  // Function patterns.
  const m = Array.from({ length: size }, () => new Array(size).fill(false));
  const fixed = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (r, c, dark) => { m[r][c] = dark; fixed[r][c] = true; };
  const finder = (r0, c0) => {
    for (let r = -1; r <= 7; r++) for (let c = -1; c <= 7; c++) {
      const rr = r0 + r, cc = c0 + c;
      if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      set(rr, cc, ring !== 2 && ring !== 4);
    }
  };
  finder(0, 0);
  finder(0, size - 7);
  finder(size - 7, 0);
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  const al = alignmentPositions(version);
  for (const r of al) for (const c of al) {
    if ((r === 6 && c === 6) || (r === 6 && c === size - 7) || (r === size - 7 && c === 6)) continue;
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }
  // Reserve format areas (written later) and the dark module.
  for (let i = 0; i < 9; i++) { fixed[8][i] = fixed[i][8] = true; }
  for (let i = 0; i < 8; i++) { fixed[8][size - 1 - i] = fixed[size - 1 - i][8] = true; }
  set(size - 8, 8, true);
  if (version >= 7) {
    const v = bch(version, 0x1f25, 12);
    for (let i = 0; i < 18; i++) {
      const dark = ((v >> i) & 1) === 1;
      const a = Math.floor(i / 3), b = size - 11 + (i % 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }

  // Data placement (zig-zag, two columns at a time, skipping the timing column).
  let bit = 0;
  const total = codewords.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const c = right - j;
        const upward = ((right + 1) & 2) === 0;
        const r = upward ? size - 1 - vert : vert;
        if (fixed[r][c]) continue;
        m[r][c] = bit < total ? ((codewords[bit >> 3] >> (7 - (bit & 7))) & 1) === 1 : false;
        bit++;
      }
    }
  }

  const withMask = (k) => {
    const out = m.map((row) => row.slice());
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (!fixed[r][c] && MASKS[k](r, c)) out[r][c] = !out[r][c];
    // Format: level L (01) and the mask, BCH(15,5), XOR 0x5412; two copies.
    const f = bch((0b01 << 3) | k, 0x537, 10) ^ 0x5412;
    const fb = (i) => ((f >> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) out[i][8] = fb(i);
    out[7][8] = fb(6);
    out[8][8] = fb(7);
    out[8][7] = fb(8);
    for (let i = 9; i < 15; i++) out[8][14 - i] = fb(i);
    for (let i = 0; i < 8; i++) out[8][size - 1 - i] = fb(i);
    for (let i = 8; i < 15; i++) out[size - 15 + i][8] = fb(i);
    return out;
  };

  const penalty = (g) => {
    let p = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let a = 0; a < size; a++) {
        let run = 1;
        for (let b = 1; b < size; b++) {
          const cur = pass ? g[b][a] : g[a][b];
          const prev = pass ? g[b - 1][a] : g[a][b - 1];
          if (cur === prev) run++;
          else { if (run >= 5) p += run - 2; run = 1; }
        }
        if (run >= 5) p += run - 2;
        for (let b = 0; b + 6 < size; b++) {
          const s = [0, 1, 2, 3, 4, 5, 6].map((k) => (pass ? g[b + k][a] : g[a][b + k]));
          if (s.join() === 'true,false,true,true,true,false,true') p += 40;
        }
      }
    }
    for (let r = 0; r + 1 < size; r++) for (let c = 0; c + 1 < size; c++) {
      const v = g[r][c];
      if (v === g[r + 1][c] && v === g[r][c + 1] && v === g[r + 1][c + 1]) p += 3;
    }
    const dark = g.flat().filter(Boolean).length;
    p += Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size)) * 10;
    return p;
  };

  let best = null;
  for (let k = 0; k < 8; k++) {
    const g = withMask(k);
    const score = penalty(g);
    if (!best || score < best.score) best = { g, score };
  }
  return best.g;
}

/** Draws a QR code for `text` on a canvas (with the 4-module quiet zone). */
export function drawQr(canvas, text, scale = 4) {
  const g = qrMatrix(text);
  const n = g.length + 8;
  canvas.width = canvas.height = n * scale;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, n * scale, n * scale);
  ctx.fillStyle = '#000';
  g.forEach((row, r) => row.forEach((dark, c) => dark && ctx.fillRect((c + 4) * scale, (r + 4) * scale, scale, scale)));
}
