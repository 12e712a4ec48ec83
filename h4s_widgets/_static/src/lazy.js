// Entry of the static runtime's late part (dist/runtime-lazy.js, see lazy_ref.js): what a page needs only once
// a learner acts or the page is idle.  It takes the runtime's shared modules through __h4sKit (build_js.mjs).
export { sha256hex } from "./grader/sha256.js";
export { outboxFlush } from "./outbox.js";
export { fillSlots, onGraded } from "./records.js";
export { ask, check, OOPS, solution } from "./static_host.js";
