// h4s authoring panels (anywidget ES module, no build step): the question editor, the module panel and
// the check panel.  Forms are generated from the JSON Schema that Python sends in the `schema` trait
// (the pydantic models' own schema): titles are labels, descriptions are help texts; the errors next to
// the fields come from Python's validation of the same models (the `errors` trait), never from here.

let uid = 0;
const nextId = (p) => `h4s-a-${p}-${++uid}`;

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid);
  return el;
}

// ------------------------------------------------------------------ schema helpers
function deref(s, defs) {
  if (s && s.$ref) return defs[s.$ref.split("/").pop()] || {};
  return s || {};
}

function unwrap(s, defs) {
  // Optional[X] is anyOf [X, null] in pydantic's schema
  s = deref(s, defs);
  if (Array.isArray(s.anyOf)) {
    const other = s.anyOf.filter((x) => x.type !== "null");
    if (other.length === 1) {
      const inner = deref(other[0], defs);
      return { schema: { ...inner, title: s.title || inner.title, description: s.description || inner.description,
        default: s.default }, nullable: other.length < s.anyOf.length };
    }
  }
  return { schema: s, nullable: false };
}

const pathKey = (path) => path.join(".");
const LONG = new Set(["text", "feedback", "advice", "back", "front", "passage", "model_answer", "starter", "solution",
  "code", "setup", "summary", "feedback_true", "feedback_false"]);
const CODE = new Set(["starter", "solution", "code", "setup"]);

function isRequired(parent, name) { return Array.isArray(parent.required) && parent.required.includes(name); }

// A form for one object (a question, an option, a metadata mapping).  `ctx`: {defs, changed(), rerender(),
// slots: Map(path -> error element), widgets: Map(path -> input), root: the object of path []}.
function objectForm(def, obj, path, ctx, skip = new Set()) {
  const box = h("div", { class: "h4s-a-fields" });
  for (const [name, raw] of Object.entries(def.properties || {})) {
    if (skip.has(name)) continue;
    const { schema, nullable } = unwrap(raw, ctx.defs);
    if (schema.const !== undefined) continue;
    box.append(field(def, name, schema, nullable, obj, [...path, name], ctx));
  }
  return box;
}

function helpAndError(path, schema, ctx, req) {
  const helpId = nextId("help");
  const errId = nextId("err");
  const help = schema.description ? h("div", { class: "h4s-a-help", id: helpId, text: schema.description }) : null;
  const err = h("div", { class: "h4s-a-error", id: errId, "data-path": pathKey(path) });
  ctx.slots.set(pathKey(path), err);
  return { help, err, describedby: [help ? helpId : null, errId].filter(Boolean).join(" ") };
}

function labelText(schema, name, req) {
  return (schema.title || name) + (req ? " (required)" : "");
}

function setOrDelete(obj, name, value, keep) {
  if (value === undefined || (value === "" && !keep)) delete obj[name];
  else obj[name] = value;
}

function field(parent, name, schema, nullable, obj, path, ctx) {
  const req = isRequired(parent, name);
  const wrap = h("div", { class: "h4s-a-field", "data-field": pathKey(path) });
  const { help, err, describedby } = helpAndError(path, schema, ctx, req);
  const id = nextId("f");
  // right/wrong: `answer` / `answers` of a question with options are chosen among the options
  if ((name === "answer" || name === "answers") && Array.isArray(obj.options) && parent.properties.options) {
    return choiceOfOptions(name, schema, obj, path, ctx, wrap, help, err, describedby, req);
  }
  const type = schema.type;
  if (Array.isArray(schema.enum)) {
    const sel = h("select", { id, "aria-describedby": describedby },
      nullable || !req ? h("option", { value: "", text: "(not set)" }) : null,
      ...schema.enum.map((v) => h("option", { value: String(v), text: String(v) })));
    sel.value = obj[name] === undefined || obj[name] === null ? "" : String(obj[name]);
    sel.addEventListener("change", () => {
      const v = schema.enum.find((x) => String(x) === sel.value);
      setOrDelete(obj, name, v === undefined ? undefined : v); ctx.changed();
    });
    ctx.widgets.set(pathKey(path), sel);
    wrap.append(...[h("label", { for: id, text: labelText(schema, name, req) }), sel, help, err].filter(Boolean));
    return wrap;
  }
  if (type === "boolean") {
    const box = h("input", { type: "checkbox", id, "aria-describedby": describedby });
    box.checked = obj[name] === undefined ? !!schema.default : !!obj[name];
    box.addEventListener("change", () => { obj[name] = box.checked; ctx.changed(); });
    ctx.widgets.set(pathKey(path), box);
    wrap.classList.add("h4s-a-check");
    wrap.append(...[box, h("label", { for: id, text: labelText(schema, name, false) }), help, err].filter(Boolean));
    return wrap;
  }
  if (type === "number" || type === "integer") {
    const input = h("input", { type: "number", id, "aria-describedby": describedby,
      step: type === "integer" ? "1" : "any", placeholder: schema.default !== undefined && schema.default !== null
        ? String(schema.default) : null });
    input.value = obj[name] === undefined || obj[name] === null ? "" : String(obj[name]);
    const byValue = schema["x-help-by-value"];
    const valueHelp = byValue ? h("div", { class: "h4s-a-help", id: nextId("vhelp") }) : null;
    const showValueHelp = () => { if (valueHelp) valueHelp.textContent = byValue[String(obj[name])] || ""; };
    if (valueHelp) input.setAttribute("aria-describedby", `${describedby} ${valueHelp.id}`);
    showValueHelp();
    input.addEventListener("input", () => {
      const t = input.value.trim();
      if (t === "") setOrDelete(obj, name, undefined);
      else { const n = Number(t); obj[name] = Number.isFinite(n) ? n : t; }
      showValueHelp();
      ctx.changed();
    });
    ctx.widgets.set(pathKey(path), input);
    wrap.append(...[h("label", { for: id, text: labelText(schema, name, req) }), input, valueHelp, help, err].filter(Boolean));
    return wrap;
  }
  if (type === "string") {
    const long = LONG.has(name);
    const input = long
      ? h("textarea", { id, rows: CODE.has(name) ? 5 : 3, "aria-describedby": describedby,
        class: CODE.has(name) ? "h4s-a-code" : null, spellcheck: CODE.has(name) ? "false" : null })
      : h("input", { type: "text", id, "aria-describedby": describedby });
    input.value = obj[name] === undefined || obj[name] === null ? "" : String(obj[name]);
    input.addEventListener("input", () => { setOrDelete(obj, name, input.value, req); ctx.changed(); });
    ctx.widgets.set(pathKey(path), input);
    wrap.append(...[h("label", { for: id, text: labelText(schema, name, req) }), input, help, err].filter(Boolean));
    return wrap;
  }
  if (type === "array") {
    return arrayField(name, schema, obj, path, ctx, wrap, help, err, req);
  }
  // anything else (a mapping such as scores or parameters): JSON text
  const area = h("textarea", { id, rows: 3, class: "h4s-a-code", "aria-describedby": describedby, spellcheck: "false" });
  area.value = obj[name] === undefined || obj[name] === null ? "" : JSON.stringify(obj[name]);
  area.addEventListener("input", () => {
    const t = area.value.trim();
    if (t === "") delete obj[name];
    else { try { obj[name] = JSON.parse(t); } catch (e) { obj[name] = t; } }
    ctx.changed();
  });
  ctx.widgets.set(pathKey(path), area);
  wrap.append(...[h("label", { for: id, text: labelText(schema, name, req) + " (JSON)" }), area, help, err].filter(Boolean));
  return wrap;
}

function choiceOfOptions(name, schema, obj, path, ctx, wrap, help, err, describedby, req) {
  const many = name === "answers";
  const group = h("fieldset", { class: "h4s-a-choice", "aria-describedby": describedby },
    h("legend", { text: many ? "Right options (the others are wrong)" : "Right option (the others are wrong)" }));
  const groupName = nextId("choice");
  const chosen = () => (many ? (Array.isArray(obj.answers) ? obj.answers : []) : [obj.answer]);
  for (const opt of obj.options) {
    const id = nextId("opt");
    const input = h("input", { type: many ? "checkbox" : "radio", name: groupName, id, value: opt.id || "" });
    input.checked = chosen().includes(opt.id);
    input.addEventListener("change", () => {
      if (many) {
        const now = new Set(chosen());
        if (input.checked) now.add(opt.id); else now.delete(opt.id);
        obj.answers = obj.options.map((o) => o.id).filter((i) => now.has(i));
      } else if (input.checked) obj.answer = opt.id;
      ctx.changed();
    });
    group.append(h("div", { class: "h4s-a-check" }, input,
      h("label", { for: id, text: `${opt.id || "?"}: ${opt.text || "(no text yet)"}` })));
  }
  ctx.widgets.set(pathKey(path), group);
  wrap.append(...[group, help, err].filter(Boolean));
  return wrap;
}

function emptyOf(schema, defs) {
  const { schema: s } = unwrap(schema, defs);
  if (s.type === "object" || s.properties) {
    const o = {};
    for (const r of s.required || []) {
      const { schema: p } = unwrap(s.properties[r], defs);
      o[r] = p.type === "array" ? [] : p.type === "number" || p.type === "integer" ? 0 : p.type === "boolean" ? false : "";
    }
    return o;
  }
  if (s.type === "number" || s.type === "integer") return 0;
  if (s.type === "boolean") return false;
  if (s.type === "array") return [];
  return "";
}

function arrayField(name, schema, obj, path, ctx, wrap, help, err, req) {
  const items = unwrap(schema.items || {}, ctx.defs);
  const isObj = items.schema.type === "object" || items.schema.properties;
  const numeric = items.schema.type === "number" || items.schema.type === "integer";
  const legend = labelText(schema, name, req);
  const fs = h("fieldset", { class: "h4s-a-array" }, h("legend", { text: legend }));
  if (help) fs.append(help);
  const list = Array.isArray(obj[name]) ? obj[name] : [];
  const focusAfter = (selector) => ctx.rerender(pathKey(path), selector);
  list.forEach((value, i) => {
    const ipath = [...path, i];
    const row = h("div", { class: "h4s-a-item", "data-path": pathKey(ipath) });
    const what = `${items.schema.title || name} ${i + 1}`;
    if (isObj) {
      row.append(h("div", { class: "h4s-a-item-title", text: what }), objectForm(items.schema, value, ipath, ctx));
    } else {
      const id = nextId("f");
      const { err: e2, describedby } = helpAndError(ipath, {}, ctx, false);
      const long = name === "gap_feedback" || name === "hints";
      const input = long ? h("textarea", { id, rows: 2, "aria-describedby": describedby })
        : h("input", { type: numeric ? "number" : "text", id, "aria-describedby": describedby });
      input.value = value === null || value === undefined ? "" : String(value);
      input.addEventListener("input", () => {
        const t = input.value;
        list[i] = numeric ? (t.trim() === "" ? null : Number(t))
          : (t === "" && items.nullable ? null : t);
        ctx.changed();
      });
      ctx.widgets.set(pathKey(ipath), input);
      row.append(h("label", { for: id, text: what }), input, e2);
    }
    const tools = h("div", { class: "h4s-a-tools", role: "group", "aria-label": what });
    tools.append(
      h("button", { type: "button", class: "h4s-a-btn", "aria-label": `Move ${what} up`, disabled: i === 0,
        onclick: () => { [list[i - 1], list[i]] = [list[i], list[i - 1]]; ctx.changed(true); focusAfter(`[data-path="${pathKey([...path, i - 1])}"] .h4s-a-up, [data-path="${pathKey([...path, i - 1])}"] .h4s-a-down`); } , text: "\u2191 Up" }),
      h("button", { type: "button", class: "h4s-a-btn", "aria-label": `Move ${what} down`, disabled: i === list.length - 1,
        onclick: () => { [list[i + 1], list[i]] = [list[i], list[i + 1]]; ctx.changed(true); focusAfter(`[data-path="${pathKey([...path, i + 1])}"] .h4s-a-tools button`); }, text: "\u2193 Down" }),
      h("button", { type: "button", class: "h4s-a-btn h4s-a-danger", "aria-label": `Remove ${what}`,
        onclick: () => { list.splice(i, 1); ctx.changed(true); focusAfter(`[data-add="${pathKey(path)}"]`); }, text: "\u2715 Remove" }),
    );
    row.append(tools);
    fs.append(row);
  });
  const add = h("button", { type: "button", class: "h4s-a-btn", "data-add": pathKey(path),
    text: `+ Add ${(items.schema.title || name).toLowerCase()}`,
    onclick: () => {
      if (!Array.isArray(obj[name])) obj[name] = list;
      const fresh = emptyOf(schema.items || {}, ctx.defs);
      if (isObj && "id" in fresh && fresh.id === "") fresh.id = freshId(obj[name]);
      obj[name].push(fresh);
      ctx.changed(true);
      focusAfter(`[data-path="${pathKey([...path, obj[name].length - 1])}"] input, [data-path="${pathKey([...path, obj[name].length - 1])}"] textarea`);
    } });
  fs.append(add, err);
  wrap.append(fs);
  return wrap;
}

function freshId(list) {
  const used = new Set(list.map((x) => x && x.id));
  for (const c of "abcdefghijklmnopqrstuvwxyz") if (!used.has(c)) return c;
  let n = list.length + 1;
  while (used.has(`item-${n}`)) n += 1;
  return `item-${n}`;
}

function showErrors(ctx, errors, general) {
  for (const [key, el] of ctx.slots) {
    const msg = errors[key];
    el.textContent = msg ? `\u26a0 ${msg}` : "";
    const w = ctx.widgets.get(key);
    if (w) { if (msg) w.setAttribute("aria-invalid", "true"); else w.removeAttribute("aria-invalid"); }
  }
  const unplaced = Object.entries(errors).filter(([k]) => !ctx.slots.has(k)).map(([k, m]) => (k ? `${k}: ${m}` : m));
  if (general) {
    general.textContent = unplaced.length ? `\u26a0 ${unplaced.join(" ")}` : "";
  }
}

const clone = (x) => JSON.parse(JSON.stringify(x));

// ------------------------------------------------------------------ question editor
function renderEditor({ model, el }) {
  const schema = model.get("schema");
  const defs = schema.$defs || {};
  const mapping = schema.properties.questions.items.discriminator.mapping;
  const types = Object.keys(mapping).sort();
  let questions = clone(model.get("questions"));
  let selected = Math.min(model.get("selected"), questions.length - 1);
  let timer = null;
  const root = h("div", { class: "h4s-authoring h4s-a-editor" });
  el.append(root);
  const status = h("div", { class: "h4s-a-status", role: "status" });
  const pick = h("select", { id: nextId("type"), "aria-label": "Type of the new question" },
    ...types.map((t) => h("option", { value: t, text: t.replace(/_/g, " ") })));
  const listBox = h("ol", { class: "h4s-a-list", "aria-label": "Questions of the bank" });
  const formBox = h("section", { class: "h4s-a-form", "aria-label": "Question form" });
  const saveBtn = h("button", { type: "button", class: "h4s-a-btn h4s-a-primary h4s-a-save", text: "Save" });
  root.append(
    h("div", { class: "h4s-a-bar" }, h("strong", { text: model.get("path") }), saveBtn, status),
    h("div", { class: "h4s-a-cols" },
      h("nav", { class: "h4s-a-side", "aria-label": "Bank" }, listBox,
        h("div", { class: "h4s-a-add" }, pick,
          h("button", { type: "button", class: "h4s-a-btn h4s-a-addq", text: "+ Add question",
            onclick: () => send({ action: "add", type: pick.value, after: selected }) }))),
      formBox));
  let ctx = null;

  function send(msg) { flush(); model.send(msg); }
  function flush() {
    if (timer) { clearTimeout(timer); timer = null; push(); }
  }
  function push() {
    model.set("questions", clone(questions));
    model.set("selected", selected);
    model.save_changes();
  }
  function changed(structural) {
    drawList(false);
    if (timer) clearTimeout(timer);
    if (structural) { push(); return; }
    timer = setTimeout(() => { timer = null; push(); }, 250);
  }

  function label(q, i) {
    return `${i + 1}. ${q.title || q.id || "(no id)"} \u2014 ${String(q.type || "").replace(/_/g, " ")}`;
  }

  function drawList(focusSel) {
    listBox.replaceChildren();
    const errs = model.get("errors") || [];
    questions.forEach((q, i) => {
      const bad = errs[i] && Object.keys(errs[i]).length > 0;
      const item = h("li", { class: "h4s-a-qitem" + (i === selected ? " h4s-a-current" : ""), "data-index": i },
        h("button", { type: "button", class: "h4s-a-select", "aria-current": i === selected ? "true" : null,
          text: label(q, i) + (bad ? " \u26a0" : ""), onclick: () => select(i),
          "aria-label": label(q, i) + (bad ? " (has problems)" : "") }),
        h("span", { class: "h4s-a-tools", role: "group", "aria-label": `Question ${i + 1}` },
          h("button", { type: "button", class: "h4s-a-btn h4s-a-up", text: "\u2191", "aria-label": `Move question ${i + 1} up`,
            disabled: i === 0, onclick: () => send({ action: "move", index: i, to: i - 1 }) }),
          h("button", { type: "button", class: "h4s-a-btn h4s-a-down", text: "\u2193", "aria-label": `Move question ${i + 1} down`,
            disabled: i === questions.length - 1, onclick: () => send({ action: "move", index: i, to: i + 1 }) }),
          h("button", { type: "button", class: "h4s-a-btn h4s-a-dup", text: "Duplicate", "aria-label": `Duplicate question ${i + 1}`,
            onclick: () => send({ action: "duplicate", index: i }) }),
          h("button", { type: "button", class: "h4s-a-btn h4s-a-danger h4s-a-del", text: "Delete", "aria-label": `Delete question ${i + 1}`,
            onclick: () => { if (window.confirm === undefined || model.get("confirm_delete") === false || window.confirm(`Delete question ${i + 1}?`)) send({ action: "delete", index: i }); } })));
      listBox.append(item);
    });
    if (focusSel) { const f = listBox.querySelector(focusSel); if (f) f.focus(); }
  }

  function select(i) {
    flush();
    selected = i;
    push();
    drawList(`[data-index="${i}"] .h4s-a-select`);
    drawForm();
  }

  function drawForm(rerenderFocus) {
    formBox.replaceChildren();
    const q = questions[selected];
    if (!q) { formBox.append(h("p", { text: "The bank has no question yet: choose a type and press Add question." })); return; }
    const defName = (mapping[q.type] || "").split("/").pop();
    const def = defs[defName];
    const general = h("div", { class: "h4s-a-error h4s-a-general" });
    ctx = { defs, slots: new Map(), widgets: new Map(), changed,
      rerender: (_p, focusSel) => { drawForm(focusSel); } };
    formBox.append(...[h("h3", { text: `${def ? def.title : q.type}: ${q.id || ""}` }),
      def && def.description ? h("p", { class: "h4s-a-help", text: def.description }) : null, general].filter(Boolean));
    if (!def) { general.textContent = `Unknown type ${q.type}`; return; }
    formBox.append(objectForm(def, q, [], ctx, new Set(["type"])));
    ctx.general = general;
    showErrors(ctx, (model.get("errors") || [])[selected] || {}, general);
    if (rerenderFocus) { const f = formBox.querySelector(rerenderFocus); if (f) f.focus(); }
  }

  saveBtn.addEventListener("click", () => send({ action: "save" }));
  root.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); e.stopPropagation(); send({ action: "save" }); }
  });

  model.on("change:errors", () => {
    drawList(false);
    if (ctx) showErrors(ctx, (model.get("errors") || [])[selected] || {}, ctx.general);
  });
  model.on("change:status", () => { status.textContent = model.get("status"); });
  model.on("change:revision", () => {
    // Python changed the list (add, duplicate, move, delete, reload): take its version
    questions = clone(model.get("questions"));
    selected = Math.max(0, Math.min(model.get("selected"), questions.length - 1));
    drawList(`[data-index="${selected}"] .h4s-a-select`);
    drawForm();
  });
  status.textContent = model.get("status");
  drawList(false);
  drawForm();
  return () => { if (timer) clearTimeout(timer); };
}

// ------------------------------------------------------------------ module panel (metadata form, new module)
function renderModule({ model, el }) {
  const root = h("div", { class: "h4s-authoring h4s-a-module" });
  el.append(root);
  const status = h("div", { class: "h4s-a-status", role: "status" });
  const formBox = h("section", { class: "h4s-a-form", "aria-label": model.get("heading") });
  const saveBtn = h("button", { type: "button", class: "h4s-a-btn h4s-a-primary h4s-a-save", text: model.get("action_label") });
  root.append(h("h3", { text: model.get("heading") }), formBox, h("div", { class: "h4s-a-bar" }, saveBtn, status));
  let value = clone(model.get("value"));
  let ctx = null;
  let timer = null;
  const push = () => { model.set("value", clone(value)); model.save_changes(); };
  const changed = (structural) => {
    if (timer) clearTimeout(timer);
    if (structural) push(); else timer = setTimeout(() => { timer = null; push(); }, 250);
  };
  function draw(focusSel) {
    formBox.replaceChildren();
    const schema = model.get("schema");
    const general = h("div", { class: "h4s-a-error h4s-a-general" });
    ctx = { defs: schema.$defs || {}, slots: new Map(), widgets: new Map(), changed, general,
      rerender: (_p, f) => draw(f) };
    const fixed = new Set(model.get("hidden") || []);
    formBox.append(general, objectForm(schema, value, [], ctx, fixed));
    showErrors(ctx, model.get("errors") || {}, general);
    if (focusSel) { const f = formBox.querySelector(focusSel); if (f) f.focus(); }
  }
  saveBtn.addEventListener("click", () => {
    if (timer) { clearTimeout(timer); timer = null; push(); }
    model.send({ action: "save" });
  });
  model.on("change:errors", () => ctx && showErrors(ctx, model.get("errors") || {}, ctx.general));
  model.on("change:status", () => { status.textContent = model.get("status"); });
  model.on("change:revision", () => { value = clone(model.get("value")); draw(); });
  status.textContent = model.get("status");
  draw();
}

// ------------------------------------------------------------------ check panel
function renderCheck({ model, el }) {
  const root = h("div", { class: "h4s-authoring h4s-a-checkpanel" });
  el.append(root);
  const run = h("button", { type: "button", class: "h4s-a-btn h4s-a-primary h4s-a-run", text: "Check the module" });
  const execute = h("input", { type: "checkbox", id: nextId("exec") });
  execute.checked = model.get("execute");
  execute.addEventListener("change", () => { model.set("execute", execute.checked); model.save_changes(); });
  const progress = h("div", { class: "h4s-a-progress", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "h4s-a-results" });
  root.append(h("h3", { text: `Check ${model.get("module")}` }),
    h("div", { class: "h4s-a-bar" }, run, h("span", { class: "h4s-a-check" }, execute,
      h("label", { for: execute.id, text: "Run the notebook too (slower)" }))), progress, results);
  run.addEventListener("click", () => model.send({ action: "run" }));
  function draw() {
    const running = model.get("running");
    run.disabled = running;
    run.textContent = running ? "Checking\u2026" : "Check the module";
    progress.textContent = model.get("progress");
    results.replaceChildren();
    const groups = model.get("groups") || [];
    if (!running && model.get("done")) {
      results.append(h("p", { class: "h4s-a-summary", text: model.get("summary") }));
    }
    for (const g of groups) {
      const list = h("ul", {});
      for (const f of g.findings) {
        const link = f.link ? h("a", { href: f.link.href || "#", class: "h4s-a-goto", "data-kind": f.link.kind,
          onclick: (e) => { e.preventDefault(); model.send({ action: "goto", link: f.link }); },
          text: f.link.label }) : null;
        list.append(h("li", { class: `h4s-a-finding h4s-a-${f.severity}` },
          h("strong", { text: f.severity === "error" ? "\u2717 Error" : "\u26a0 Warning" }), ` [${f.step}] ${f.message}. `,
          f.fix ? h("span", { class: "h4s-a-fix", text: `Fix: ${f.fix} ` }) : null, link));
      }
      results.append(h("section", { class: "h4s-a-group", "aria-label": g.label }, h("h4", { text: g.label }), list));
    }
  }
  for (const t of ["running", "progress", "groups", "done", "summary"]) model.on(`change:${t}`, draw);
  model.on("msg:custom", (msg) => {
    if (msg && msg.action === "scroll") scrollToCell(el, msg.cell_id, msg.index);
  });
  draw();
}

// ------------------------------------------------------------------ preview
function filesUrl(path) {
  // JupyterLab's page config (baseUrl, serverRoot): the page is served by the Jupyter server's files/ route
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  let cfg;
  try { cfg = JSON.parse(node.textContent); } catch (e) { return null; }
  const root = String(cfg.serverRoot || "").replace(/\/+$/, "");
  if (!root || !path.startsWith(root + "/")) return null;
  const rel = path.slice(root.length + 1).split("/").map(encodeURIComponent).join("/");
  return `${String(cfg.baseUrl || "/").replace(/\/?$/, "/")}files/${rel}`;
}

function renderPreview({ model, el }) {
  const root = h("div", { class: "h4s-authoring h4s-a-previewpanel" });
  el.append(root);
  const run = h("button", { type: "button", class: "h4s-a-btn h4s-a-primary h4s-a-run", text: "Preview the page" });
  const progress = h("div", { class: "h4s-a-progress", role: "status" });
  const out = h("div", { class: "h4s-a-results" });
  root.append(h("h3", { text: `Preview ${model.get("module")}` }), h("div", { class: "h4s-a-bar" }, run), progress, out);
  run.addEventListener("click", () => model.send({ action: "run" }));
  function draw() {
    run.disabled = model.get("running");
    progress.textContent = model.get("progress");
    out.replaceChildren();
    const page = model.get("page");
    if (page) {
      const url = filesUrl(page);
      out.append(url ? h("a", { href: url, target: "_blank", rel: "noopener", class: "h4s-a-goto",
        text: "Open the page as learners see it (new tab)" })
        : h("p", { text: `The page is ${page}; open it in the browser.` }));
    }
  }
  for (const t of ["running", "progress", "page"]) model.on(`change:${t}`, draw);
  draw();
}

function scrollToCell(el, cellId, index) {
  // JupyterLab draws only the cells near the view (windowed notebook) and marks each with its index
  // (data-windowed-list-index); the notebook holding this panel is searched first.
  const nb = el.closest(".jp-Notebook") || document.querySelector(".jp-Notebook");
  if (!nb) return false;
  let cell = nb.querySelector(`.jp-Cell[data-windowed-list-index="${Number(index)}"]`);
  if (!cell) cell = nb.querySelectorAll(".jp-Cell")[Number(index)];
  if (!cell) {
    // not drawn yet: scroll the notebook to where it is and look again
    const scroller = nb.closest(".jp-WindowedPanel-outer") || nb.parentElement;
    const count = Math.max(1, nb.querySelectorAll(".jp-Cell").length);
    if (scroller) scroller.scrollTop = (scroller.scrollHeight * Number(index)) / Math.max(count, Number(index) + 1);
    setTimeout(() => {
      const again = nb.querySelector(`.jp-Cell[data-windowed-list-index="${Number(index)}"]`);
      if (again) { again.scrollIntoView({ block: "center" }); again.focus(); }
    }, 300);
    return false;
  }
  cell.scrollIntoView({ block: "center" });
  if (cell.focus) cell.focus();
  return true;
}

export default {
  render({ model, el }) {
    const kind = model.get("kind");
    if (kind === "editor") return renderEditor({ model, el });
    if (kind === "module") return renderModule({ model, el });
    if (kind === "check") return renderCheck({ model, el });
    if (kind === "preview") return renderPreview({ model, el });
    el.textContent = `h4s authoring: unknown panel ${kind}`;
    return undefined;
  },
};
