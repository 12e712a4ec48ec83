// node --test tests/js/
// The JS grader on the shared cases (tests/cases/grading_cases.json), one test per case;
// with H4S_HASHED_CASES=<file> also on the static keys (written by tests/test_grading.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  countWords, deobfuscate, grade, keyHash, normText, parseNumber, sha256hex,
} from "../../h4s_widgets/_static/src/grader.js";

const CASES = JSON.parse(readFileSync(new URL("../cases/grading_cases.json", import.meta.url), "utf8"));

function check(c) {
  const got = grade(c.question, c.response);
  const want = c.expected;
  assert.deepEqual(Object.keys(got).sort(), ["correct", "feedback", "max_score", "score"]);
  // == on numbers: 0 and -0 are the same score; Python's 1.0 is JSON's 1
  assert.ok(Math.abs(got.score - want.score) < 1e-12, `score ${got.score}, expected ${want.score}`);
  assert.ok(Math.abs(got.max_score - want.max_score) < 1e-12, `max_score ${got.max_score}, expected ${want.max_score}`);
  assert.equal(got.correct, want.correct);
  assert.deepEqual(got.feedback, want.feedback);
}

test("the case file has the cases", () => {
  assert.ok(CASES.length >= 170, `${CASES.length} cases`);
});

for (const c of CASES) {
  test(`plain: ${c.name}`, () => check(c));
}

if (process.env.H4S_HASHED_CASES) {
  const hashed = JSON.parse(readFileSync(process.env.H4S_HASHED_CASES, "utf8"));
  test("hashed cases are there", () => assert.ok(hashed.length >= 170));
  for (const c of hashed) {
    test(`hashed: ${c.name}`, () => check(c));
  }
}

// ---------------------------------------------------------------- SHA-256
// NIST FIPS 180-4 examples (SHA256.pdf / SHAVS) and values from Python's hashlib.
test("sha256hex: NIST vectors", () => {
  assert.equal(sha256hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448 bits: the padding needs a second block
  assert.equal(sha256hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896 bits, two blocks of message
  assert.equal(sha256hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  // one million "a": many blocks
  assert.equal(sha256hex("a".repeat(1000000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
});

test("sha256hex: multi-block and non-ASCII (hashlib values)", () => {
  assert.equal(sha256hex("0123456789".repeat(13)), "426f26da928927a3520b61ade620dc7c69ed4d315425929fa04d9a993a22a0f3");
  assert.equal(sha256hex("Zażółć gęślą jaźń — οδός 🎓"), "10dca4ae9de4e52183c2fb77003d3d3698671bf1688c8947e146811f9bec7a03");
});

test("sha256hex: padding boundaries differ from each other", () => {
  const seen = new Set();
  for (let n = 50; n < 70; n++) seen.add(sha256hex("x".repeat(n)));
  assert.equal(seen.size, 20);
});

test("keyHash equals Python's _spec.key_hash", () => {
  assert.equal(keyHash("test-salt", "sc1", "b"), "885d06c855be70f543dc9737");
  assert.equal(keyHash("s\u00e4lt", "q-1", "οδός"), "2e0796dbf26d58e698b52042");
  assert.equal(keyHash("", "", ""), "b8c9e440ead3ddaccf7cc7e8");
  assert.equal(keyHash("salt", "o1", "0:s1"), "f3f248ed945b7bbd01dfecc5");
  assert.equal(keyHash("x", "cz5", "straße"), "b1f7e606a0a6ba7570f44b1f");
});

test("deobfuscate reverses Python's _spec.obfuscate", () => {
  assert.equal(deobfuscate("ZXTA6if/Tq6BuhtZp+zzUQ5rNzLJoEQ+uB+6lXXpaQOBTg==", "salt", "q1"), "<p>Łódź · οδός · 🎓</p>");
  assert.equal(deobfuscate("", "salt", "q1"), "");
});

// ------------------------------------------------------------ text helpers
test("normText", () => {
  assert.equal(normText("  A\u00a0\t B\u3000"), "a b");
  assert.equal(normText("  A  B ", true), "A B");
  assert.equal(normText(" A  B ", false, false), " a  b ");
  assert.equal(normText("CAFE\u0301"), "café");
  assert.equal(normText("ΟΔΌΣ"), "οδός");
});

test("parseNumber", () => {
  assert.equal(parseNumber("3,14"), 3.14);
  assert.equal(parseNumber("\u22122"), -2);
  assert.equal(parseNumber("1e3"), 1000);
  assert.equal(parseNumber(" 1 000,5 "), 1000.5);
  assert.equal(parseNumber(7), 7);
  for (const bad of ["", "abc", "1.000,5", "1e400", true, null, [], {}, Infinity, NaN, "0x10"]) {
    assert.equal(parseNumber(bad), null, String(bad));
  }
});

test("countWords", () => {
  assert.equal(countWords(""), 0);
  assert.equal(countWords(" \t "), 0);
  assert.equal(countWords(" one\u00a0two\nthree "), 3);
});

test("code exercises need a kernel", () => {
  const q = { type: "code", id: "c1", text: "Write f", points: 2, starter: "", timeout_s: 5 };
  assert.deepEqual(grade(q, "def f(): pass"), { score: 0, max_score: 2, correct: null, feedback: ["needs_kernel"] });
});

test("unknown type throws", () => {
  assert.throws(() => grade({ type: "nope", id: "x" }, "a"), /no grader/);
});
