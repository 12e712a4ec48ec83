// The JS grader with every type, for node (tests/js/) and anything else that grades outside a page.
import { addType } from "./registry.js";
import { TYPE_MODULES } from "./types.gen.js";

TYPE_MODULES.forEach(addType);

export { grade } from "./grader/grade.js";
export { deobfuscate, keyHash, sha256hex } from "./grader/sha256.js";
export { countWords, normText, parseNumber } from "./grader/text.js";
