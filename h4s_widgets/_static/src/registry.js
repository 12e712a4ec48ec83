// The question types the page knows.  A type is a module in types/ (see docs-dev/CONTRACTS.md, "Question
// types in JS"); `addType` takes its exports.  The widget and node import every type (types.gen.js); a
// static page gets the types it uses as chunks that register themselves (runtime.js).
export const GRADERS = {};
export const TYPES = {};

/** Register a type module's exports ({name, grade, view, ...}). */
export function addType(t) {
  TYPES[t.name] = t;
  if (t.grade) GRADERS[t.name] = t.grade;
  return t;
}
