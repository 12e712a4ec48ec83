// h4s live entry point for anywidget: the quiz is graded in Python.
// Messages to Python (docs-dev/CONTRACTS.md): {action: "check", qid, response, learner},
// {action: "solution", qid}, {action: "reset"}; Python answers by changing the `state` trait.
import { h4sUI } from "./ui.js";

export default {
  render({ model, el }) {
    const root = document.createElement("div");
    root.className = "h4s-quiz h4s-live";
    el.appendChild(root);
    const quiz = h4sUI.createQuiz(root, {
      spec: model.get("spec") || { questions: [] },
      strings: model.get("strings") || {},
      mode: "live",
      initialState: model.get("state") || {},
      onCheck(qid, response) {
        model.send({ action: "check", qid, response, learner: h4sUI.learnerId() });
      },
      onSolution(qid) {
        model.send({ action: "solution", qid });
      },
      onReset() {
        model.send({ action: "reset" });
      },
    });
    const onState = () => quiz.update(model.get("state") || {});
    model.on("change:state", onState);
    return () => {
      model.off("change:state", onState);
      root.remove();
    };
  },
};
