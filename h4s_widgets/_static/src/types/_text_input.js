// The view of the one-line answer types (numeric, short_text).
import { el, isNumber, newId } from "../ui/dom.js";

export function textInputView(q, c, numeric) {
  const T = c.T;
  const id = newId("in");
  const unitId = newId("unit");
  const input = el("input", { type: "text", id, class: "h4s-text-input" + (numeric ? " h4s-num-input" : ""),
    inputmode: numeric ? "decimal" : null, autocomplete: "off", spellcheck: numeric ? "false" : null,
    "aria-describedby": numeric && q.unit ? unitId : null });
  const row = el("div", { class: "h4s-answer-row" }, [
    el("label", { for: id, class: "h4s-label", text: T("Your answer") }),
    el("span", { class: "h4s-input-wrap" }, [input, numeric && q.unit ? el("span", { class: "h4s-unit", id: unitId, text: q.unit }) : null]),
  ]);
  return {
    body: row,
    getResponse: () => (input.value.trim() ? input.value : null),
    validate: numeric ? () => (input.value.trim() && !isNumber(input.value) ? T("That is not a number") : null) : null,
    mark: (r) => {
      if (r.correct === true) c.mark(input, true, input.parentNode.lastChild);
      else if (r.correct === false) c.mark(input, false, input.parentNode.lastChild);
    },
  };
}
