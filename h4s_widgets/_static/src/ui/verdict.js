// The verdict a question's state gets: a kind (correct, partial, wrong, info, saved) and its words.
// A type may say it first (its module's `verdict(q, st, T)`: numeric, essay, code); nothing answered is
// always "Please answer first".
import { TYPES } from "../registry.js";

export function verdictOf(q, st, ctx) {
  const T = ctx.T;
  const r = st.result || {};
  const fb = r.feedback || [];
  if (fb.indexOf("empty") >= 0) return { kind: "info", text: T("Please answer first") };
  const own = TYPES[q.type] && TYPES[q.type].verdict && TYPES[q.type].verdict(q, st, T);
  if (own) return own;
  if (fb.indexOf("invalid") >= 0 || fb.indexOf("incomplete") >= 0) return { kind: "info", text: T("Please answer first") };
  if (!q.graded) return { kind: "saved", text: T("Saved") };
  if (r.correct) return { kind: "correct", text: T("Correct") };
  if ((r.score || 0) > 0) return { kind: "partial", text: T("Partly correct") };
  return { kind: "wrong", text: T("Not quite") };
}
