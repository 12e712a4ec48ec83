// The quiz-session rule (attempts, what costs an attempt, what makes a record, when a solution may be
// shown): h4s_widgets/_session.py's session_step, the same pure function, run on the same cases
// (tests/cases/session_cases.json; tests/js/session.test.mjs).

/** grader feedback ids that make a check cost nothing */
const NOT_COUNTED = ["empty", "invalid"];

const available = (rule, attempts) => !!rule.solution_always
  || (rule.show_solution_after != null && attempts >= rule.show_solution_after);

/**
 * What happens when the learner does `action` after `attempts` counted checks.
 * @param {{max_attempts: ?number, show_solution_after: ?number, example_answer: boolean, solution_always: boolean}} rule
 * @param {number} attempts counted checks so far
 * @param {"check"|"solution"} action
 * @param {?string[]} [feedback] the grader's feedback ids of a check; null: not graded yet
 * @returns {{refused: boolean, counted: boolean, attempts: number, solution_available: boolean, send_solution: boolean}}
 */
export function sessionStep(rule, attempts, action, feedback = null) {
  if (action === "solution") {
    const allowed = available(rule, attempts) || (!!rule.example_answer && attempts >= 1);
    return { refused: !allowed, counted: false, attempts, solution_available: available(rule, attempts),
      send_solution: allowed };
  }
  if (action !== "check") throw new Error(`sessionStep: action must be one of check, solution (got ${JSON.stringify(action)})`);
  if (rule.max_attempts != null && attempts >= rule.max_attempts) {
    return { refused: true, counted: false, attempts, solution_available: available(rule, attempts), send_solution: false };
  }
  const counted = feedback != null && !feedback.some((f) => NOT_COUNTED.includes(f));
  const after = counted ? attempts + 1 : attempts;
  return { refused: false, counted, attempts: after, solution_available: available(rule, after),
    send_solution: counted && !!rule.example_answer };
}
