// The draw of a question pool (= h4s_widgets/_draw.py draw_ids): the n ids with the smallest
// sha256(seed + "\x1f" + id), in the pool's order.  tests/cases/draw_cases.json runs in both languages.
import { sha256hex } from "./grader/sha256.js";

export function drawIds(ids, seed, n) {
  const key = {};
  ids.forEach((i) => { key[i] = sha256hex(seed + "\x1f" + i); });
  const chosen = new Set(ids.slice().sort((a, b) => (key[a] < key[b] ? -1 : key[a] > key[b] ? 1 : a < b ? -1 : a > b ? 1 : 0)).slice(0, Math.max(0, n)));
  return ids.filter((i) => chosen.has(i));
}
