// h4s outbox: answers given on a served page (keys on the server) while the server cannot be reached.
// Each is kept in localStorage "h4s-outbox" ([{url, body}], body with its answer_id, a UUID made when the
// learner pressed Check) and sent again, in order, on the "online" event, on page load and with a backoff
// (doubling from 4 s to 60 s).  The server stores an answer_id once (h4s_kit/quiz_api.py), so a resend after
// a lost reply, from a second tab or after a reload stores nothing twice.  The reply goes to the question
// that waits for it on this page; the answers of a page that was closed are stored all the same.
import { load, save } from "./records.js";

const KEY = "h4s-outbox";
const replies = {};   // answer_id -> (the reply: {attempts, result, ...} or {error})
let wait = 2000;
let timer;

export function outboxAdd(url, body, onReply) {
  save(KEY, load(KEY, []).concat({ url, body }));
  replies[body.answer_id] = onReply;
  outboxFlush();
}

export async function outboxFlush(online) {   // online: the browser's "online" event (the backoff starts again)
  if (online) wait = 2000;
  clearTimeout(timer);
  const flush = outboxFlush;
  for (const { url, body } of load(KEY, [])) {
    let r;
    try {
      r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (r.status > 499 || r.status == 429) throw r;
    } catch (e) {   // still offline, or the server is busy: later
      timer = setTimeout(flush, wait = Math.min(wait * 2, 60000));
      return;
    }
    save(KEY, load(KEY, []).filter((it) => it.body.answer_id != body.answer_id));
    (replies[body.answer_id] || Boolean)(await r.json().catch(() => ({})));
  }
  wait = 2000;
}
