// The learner's pseudonymous id in this browser (localStorage), for the events a quiz sends.

let memoLearner = null;
export function learnerId() {
  // 128 random bits written as a UUID (getRandomValues works on http pages too, randomUUID does not)
  const make = () => Array.from(window.crypto.getRandomValues(new Uint8Array(16)), (x) => (x + 256).toString(16).slice(1))
    .join("").replace(/(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  try {
    let id = window.localStorage.getItem("h4s-learner");
    if (!id) {
      id = make();
      window.localStorage.setItem("h4s-learner", id);
    }
    return id;
  } catch (e) {
    memoLearner = memoLearner || make();
    return memoLearner;
  }
}
