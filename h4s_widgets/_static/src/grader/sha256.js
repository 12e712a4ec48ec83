// SHA-256 (synchronous, no crypto.subtle: file:// pages), the salted key hashes and the solution
// obfuscation of h4s_widgets/_spec.py.

// ------------------------------------------------------------- SHA-256
// From FIPS 180-4, 6.2. Constants as defined there: fractional parts of the
// square roots (H0) and cube roots (K) of the first primes.
let shaK = null;
let shaH = null;
const frac32 = (x) => ((x - Math.floor(x)) * 4294967296) | 0;
const rotr = (x, n) => (x >>> n) | (x << (32 - n));

/**
 * SHA-256 of bytes.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array} the 32-byte digest
 */
export function sha256(bytes) {
  if (!shaK) {
    shaK = [];
    shaH = [];
    for (let n = 2; shaK.length < 64; n++) {
      let prime = true;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
      if (!prime) continue;
      if (shaH.length < 8) shaH.push(frac32(Math.sqrt(n)));
      shaK.push(frac32(Math.cbrt(n)));
    }
  }
  const K = shaK;
  const h = shaH.slice();
  const len = bytes.length;
  // padding: 0x80, zeros, 64-bit big-endian length in bits; a multiple of 64 bytes
  const m = new Uint8Array((((len + 8) >> 6) + 1) * 64);
  m.set(bytes);
  m[len] = 0x80;
  const dv = new DataView(m.buffer);
  dv.setUint32(m.length - 8, Math.floor(len / 536870912)); // len * 8 / 2^32
  dv.setUint32(m.length - 4, (len * 8) >>> 0);
  const w = new Int32Array(64);
  for (let off = 0; off < m.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = dv.getInt32(off + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      w[t] = w[t - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[t - 7]
        + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10));
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, k].forEach((v, i) => { h[i] = (h[i] + v) | 0; });
  }
  const out = new Uint8Array(32);
  const odv = new DataView(out.buffer);
  h.forEach((v, i) => odv.setInt32(4 * i, v));
  return out;
}

const utf8 = (s) => new TextEncoder().encode(s);

/**
 * Hex SHA-256 of the UTF-8 encoding of a string (synchronous; no crypto.subtle).
 * @param {string} str
 * @returns {string} 64 lower-case hex digits
 */
export function sha256hex(str) {
  return Array.from(sha256(utf8(str)), (b) => (b + 256).toString(16).slice(1)).join("");
}

/**
 * Salted hash of one key value, as _spec.key_hash computes it.
 * @param {string} salt
 * @param {string} qid question id
 * @param {string} value
 * @returns {string} 24 hex digits
 */
export function keyHash(salt, qid, value) {
  return sha256hex(`${salt}\x1f${qid}\x1f${value}`).slice(0, 24);
}

/**
 * Inverse of _spec.obfuscate: base64, XOR with a SHA-256 keystream, UTF-8.
 * @param {string} b64
 * @param {string} salt
 * @param {string} qid
 * @returns {string}
 */
export function deobfuscate(b64, salt, qid) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  let ks = null;
  for (let i = 0; i < bin.length; i++) {
    if (i % 32 === 0) ks = sha256(utf8(`${salt}\x1f${qid}\x1fsolution\x1f${i / 32}`));
    out[i] = bin.charCodeAt(i) ^ ks[i % 32];
  }
  return new TextDecoder().decode(out);
}

