// h4s live entry point for anywidget: the quiz is graded in Python, every type is in this module.
// Messages to Python (docs-dev/CONTRACTS.md): {action: "check", qid, response, learner},
// {action: "solution", qid, learner}, {action: "reset"}; Python answers by changing the `state` trait.
// (Under h4s serve the proxy overwrites `learner` with the id the server issued.)
import { addType } from "./registry.js";
import { TYPE_MODULES } from "./types.gen.js";
import { learnerId } from "./ui/learner.js";
import { createQuiz } from "./ui/quiz.js";

TYPE_MODULES.forEach(addType);

export default {
  render({ model, el }) {
    const root = document.createElement("div");
    root.className = "h4s-quiz h4s-live";
    // JupyterLab handles shortcuts when keydown bubbles to the document, and a focused radio button or
    // Check button counts as command mode there (ArrowDown would move to the next cell).  Keys pressed
    // inside the quiz belong to the quiz; Escape and Ctrl/Alt/Cmd combinations (Ctrl+S) still reach the host.
    const ownKeys = (event) => {
      if (event.key !== "Escape" && !event.ctrlKey && !event.metaKey && !event.altKey) event.stopPropagation();
    };
    root.addEventListener("keydown", ownKeys);
    el.appendChild(root);
    const quiz = createQuiz(root, {
      spec: model.get("spec") || { questions: [] },
      strings: model.get("strings") || {},
      mode: "live",
      initialState: model.get("state") || {},
      onCheck(qid, response) {
        model.send({ action: "check", qid, response, learner: learnerId() });
      },
      onSolution(qid) {
        model.send({ action: "solution", qid, learner: learnerId() });
      },
      onReset() {
        model.send({ action: "reset" });
      },
      // a pool: the kernel draws ({attempt, ids}; a new attempt after reset), not the browser
      draw: (model.get("drawn") || {}).ids ? (fresh) => (fresh ? new Promise((res) => {
        const f = () => { model.off("change:drawn", f); res(model.get("drawn").ids); };
        model.on("change:drawn", f);
      }) : model.get("drawn").ids) : undefined,
    });
    const onState = () => quiz.update(model.get("state") || {});
    model.on("change:state", onState);
    return () => {
      model.off("change:state", onState);
      root.removeEventListener("keydown", ownKeys);
      root.remove();
    };
  },
};
