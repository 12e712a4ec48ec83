// The view of the choice types (single_choice, multiple_response, true_false): a fieldset of radio
// buttons or check boxes.
import { el, newId } from "../ui/dom.js";

export function choiceView(q, c) {
  const T = c.T;
  const multiple = q.type === "multiple_response";
  const tf = q.type === "true_false";
  const options = tf ? [{ id: "true", html: T("True") }, { id: "false", html: T("False") }] : q.options;
  const legendId = newId("lg");
  const fs = el("fieldset", { class: "h4s-choices" + (tf ? " h4s-choices--tf" : ""), "aria-labelledby": c.textId + " " + legendId });
  fs.append(el("legend", { id: legendId, class: "h4s-instr", text: multiple ? T("Select all that apply") : T("Choose one answer") }));
  const name = newId("grp");
  const inputs = [];
  for (const o of options) {
    const id = newId("opt");
    const input = el("input", { type: multiple ? "checkbox" : "radio", name, id, value: o.id });
    inputs.push(input);
    fs.append(el("label", { class: "h4s-option", for: id }, [input, el("span", { class: "h4s-option-text", html: o.html })]));
  }
  return {
    body: fs,
    getResponse() {
      if (multiple) return inputs.filter((i) => i.checked).map((i) => i.value);
      const chosen = inputs.find((i) => i.checked);
      if (!chosen) return null;
      return tf ? chosen.value === "true" : chosen.value;
    },
    mark(r) {
      if (multiple || r.correct === null || r.correct === undefined) return;
      const chosen = inputs.find((i) => i.checked);
      if (chosen) c.mark(chosen.closest("label"), !!r.correct, chosen.closest("label").lastChild);
    },
  };
}
