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
    const el = field(def, name, schema, nullable, obj, [...path, name], ctx);
    if (el) box.append(el);
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
  // dedicated controls of some types (the rest of every form is generated field by field)
  if (path.length === 1 && ctx.qtype) {
    const special = DEDICATED[`${ctx.qtype}.${name}`];
    if (special === null) return null;
    if (special) return special({ parent, name, schema, obj, path, ctx, wrap, help, err, describedby, req, id });
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

// ------------------------------------------------------------------ dedicated controls (cloze, matching, ordering)
// Labels and help are the schema's titles and descriptions, as everywhere else; errors are Python's.
const GAP = /\[\[(.+?)\]\]/g;
const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;

function gapsOf(text) {
  return [...String(text || "").matchAll(GAP)].map((m) => ({ at: m.index, length: m[0].length,
    answers: m[1].split("|").map((a) => a.trim()) }));
}

function withGap(text, i, answers) {
  const g = gapsOf(text)[i];
  const inner = answers.length ? `[[${answers.join("|")}]]` : "";
  return text.slice(0, g.at) + inner + text.slice(g.at + g.length);
}

function propOf(def, name, ctx) { return unwrap((def.properties || {})[name] || {}, ctx.defs).schema; }

function clozeText({ parent, name, schema, obj, path, ctx, wrap, help, err, describedby, req, id }) {
  const area = h("textarea", { id, rows: 4, "aria-describedby": describedby });
  area.value = obj.text || "";
  ctx.widgets.set(pathKey(path), area);
  const insert = h("button", { type: "button", class: "h4s-a-btn h4s-a-insert-gap", text: "+ Insert a gap",
    "aria-describedby": describedby });
  // the gaps: the text with its gaps, then one row per gap (accepted answers as chips, the gap's feedback)
  const fbSchema = propOf(parent, "gap_feedback", ctx);
  const fbHelp = fbSchema.description ? h("div", { class: "h4s-a-help", id: nextId("help"), text: fbSchema.description }) : null;
  const fbErr = h("div", { class: "h4s-a-error", id: nextId("err"), "data-path": "gap_feedback" });
  ctx.slots.set("gap_feedback", fbErr);
  const shown = h("p", { class: "h4s-a-gaptext", id: nextId("gaptext") });
  const rows = h("div", { class: "h4s-a-gaps" });
  const gapsBox = h("fieldset", { class: "h4s-a-array h4s-a-gapbox", "data-field": "gap_feedback" },
    h("legend", { text: "Gaps" }), h("div", { class: "h4s-a-help", text: "The text with its gaps:" }), shown, rows,
    fbHelp, fbErr);
  const setText = (t, focusSel) => {
    obj.text = t; area.value = t; ctx.changed(true); drawGaps(focusSel);
  };
  function drawGaps(focusSel) {
    const text = obj.text || "";
    const gaps = gapsOf(text);
    shown.replaceChildren();
    let last = 0;
    gaps.forEach((g, i) => {
      shown.append(text.slice(last, g.at), h("mark", { class: "h4s-a-gap", text: `gap ${i + 1}` }));
      last = g.at + g.length;
    });
    shown.append(text.slice(last));
    if (!gaps.length) shown.append(h("em", { text: " (no gap yet: put the cursor in the text, then Insert a gap)" }));
    rows.replaceChildren();
    const fb = Array.isArray(obj.gap_feedback) ? obj.gap_feedback : [];
    gaps.forEach((g, i) => {
      const what = `gap ${i + 1}`;
      const numeric = g.answers.length > 0 && g.answers.every((a) => NUMBER.test(a));
      const chips = h("ul", { class: "h4s-a-chips", "aria-label": `Accepted answers of ${what}` });
      g.answers.forEach((a, k) => chips.append(h("li", { class: "h4s-a-chip" }, h("span", { text: a || "(empty)" }),
        h("button", { type: "button", class: "h4s-a-btn h4s-a-chip-x", "aria-label": `Remove the answer ${a} from ${what}`,
          text: "\u2715", disabled: g.answers.length < 2, onclick: () => {   // the last one goes with Remove gap
            setText(withGap(obj.text || "", i, g.answers.filter((_x, j) => j !== k)), `[data-gap="${i}"] .h4s-a-newanswer`);
          } }))));
      const newId = nextId("ans");
      const note = h("div", { class: "h4s-a-error", role: "status", id: nextId("note") });
      const addAnswer = () => {
        if (/\[\[|\]\]/.test(input.value)) {   // they would end the gap: the text's syntax, not a schema rule
          note.textContent = "\u26a0 An answer cannot contain [[ or ]]";
          input.setAttribute("aria-invalid", "true");
          return;
        }
        const more = input.value.split("|").map((x) => x.trim()).filter(Boolean);
        if (!more.length) return;
        const now = g.answers.filter(Boolean).concat(more.filter((x) => !g.answers.includes(x)));
        setText(withGap(obj.text || "", i, now), `[data-gap="${i}"] .h4s-a-newanswer`);
      };
      const input = h("input", { type: "text", id: newId, class: "h4s-a-newanswer",
        onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); addAnswer(); } },
        oninput: () => { note.textContent = ""; input.removeAttribute("aria-invalid"); },
        "aria-describedby": note.id });
      const fbId = nextId("gapfb");
      const fbErrI = h("div", { class: "h4s-a-error", id: nextId("err"), "data-path": `gap_feedback.${i}` });
      ctx.slots.set(`gap_feedback.${i}`, fbErrI);
      const fbInput = h("input", { type: "text", id: fbId, class: "h4s-a-gapfb",
        "aria-describedby": [fbHelp ? fbHelp.id : null, fbErrI.id].filter(Boolean).join(" ") });
      fbInput.value = fb[i] === undefined || fb[i] === null ? "" : String(fb[i]);
      fbInput.addEventListener("input", () => {
        const list = Array.isArray(obj.gap_feedback) ? obj.gap_feedback : [];
        while (list.length <= i) list.push(null);
        list[i] = fbInput.value === "" ? null : fbInput.value;
        while (list.length && (list[list.length - 1] === null || list[list.length - 1] === "")) list.pop();
        if (list.length) obj.gap_feedback = list; else delete obj.gap_feedback;
        ctx.changed();
      });
      ctx.widgets.set(`gap_feedback.${i}`, fbInput);
      rows.append(h("div", { class: "h4s-a-item h4s-a-gaprow", "data-gap": i, role: "group", "aria-label": what },
        h("div", { class: "h4s-a-item-title", text: `Gap ${i + 1}${numeric ? " (a number)" : ""}` }),
        h("div", { class: "h4s-a-help", text: "Accepted answers:" }), chips,
        h("div", { class: "h4s-a-inline" },
          h("label", { for: newId, text: `Another accepted answer for ${what}` }), input,
          h("button", { type: "button", class: "h4s-a-btn h4s-a-addanswer", text: "+ Add", "aria-label": `Add the answer to ${what}`,
            onclick: addAnswer }),
          h("button", { type: "button", class: "h4s-a-btn h4s-a-danger h4s-a-ungap", text: "Remove gap",
            "aria-label": `Remove ${what} (its first answer stays in the text)`,
            onclick: () => {
              const t = obj.text || "";
              setText(t.slice(0, g.at) + (g.answers[0] || "") + t.slice(g.at + g.length), ".h4s-a-insert-gap");
            } })),
        note,
        h("div", { class: "h4s-a-inline" }, h("label", { for: fbId, text: `Feedback for ${what}` }), fbInput), fbErrI));
    });
    if (ctx.lastErrors) showErrors(ctx, ctx.lastErrors, ctx.general);
    if (focusSel) { const f = gapsBox.querySelector(focusSel) || wrap.querySelector(focusSel); if (f) f.focus(); }
  }
  area.addEventListener("input", () => { setOrDelete(obj, name, area.value, req); ctx.changed(); drawGaps(); });
  insert.addEventListener("click", () => {
    const t = area.value;
    const a = area.selectionStart ?? t.length;
    const b = area.selectionEnd ?? a;
    const chosen = t.slice(a, b).trim();
    const gap = `[[${chosen || "answer"}]]`;
    const before = t.slice(0, a);
    const pad = before && !/\s$/.test(before) ? " " : "";
    setText(before + pad + gap + t.slice(b), null);
    const n = gapsOf(obj.text).findIndex((g) => g.at === (before + pad).length);
    const sel = `[data-gap="${n}"] .h4s-a-newanswer`;
    drawGaps(chosen ? sel : null);
    if (!chosen) { area.focus(); const at = (before + pad).length + 2; area.setSelectionRange(at, at + 6); }
  });
  wrap.append(...[h("label", { for: id, text: labelText(schema, name, req) }), area, insert, help, err, gapsBox].filter(Boolean));
  drawGaps();
  return wrap;
}

// rows of objects with move up / down / remove and an add button (pairs of a matching, items of an ordering)
function rowsField({ name, schema, obj, path, ctx, wrap, help, err, req }, { columns, numbered, movable, code }) {
  const items = unwrap(schema.items || {}, ctx.defs).schema;
  const list = Array.isArray(obj[name]) ? obj[name] : (obj[name] = []);
  const what = (items.title || name).toLowerCase();
  const fs = h("fieldset", { class: `h4s-a-array h4s-a-rows${numbered ? " h4s-a-numbered" : ""}` },
    h("legend", { text: labelText(schema, name, req) }));
  if (help) fs.append(help);
  // the columns' headings: the item's own titles and descriptions (one help per column, referenced by each input)
  const heads = columns.map((c) => {
    const p = unwrap((items.properties || {})[c] || {}, ctx.defs).schema;
    return { name: c, title: p.title || c, help: p.description || "", helpId: nextId("colhelp"), req: isRequired(items, c) };
  });
  fs.append(h("div", { class: "h4s-a-rowhead", "aria-hidden": "true" },
    ...heads.map((c) => h("div", { class: `h4s-a-col h4s-a-col-${c.name}` }, h("strong", { text: c.title })))));
  fs.append(h("div", { class: "h4s-a-colhelp" }, ...heads.filter((c) => c.help).map((c) =>
    h("div", { class: "h4s-a-help", id: c.helpId, text: `${c.title}: ${c.help}` }))));
  const redraw = (sel) => ctx.rerender(pathKey(path), sel);
  list.forEach((value, i) => {
    const ipath = [...path, i];
    const label = `${items.title || name} ${i + 1}`;
    const row = h("div", { class: "h4s-a-row", role: "group", "aria-label": label, "data-path": pathKey(ipath) });
    if (numbered) row.append(h("span", { class: "h4s-a-rownum", text: `${i + 1}.` }));
    const errs = [];
    for (const c of heads) {
      const p = unwrap((items.properties || {})[c.name] || {}, ctx.defs).schema;
      const cpath = [...ipath, c.name];
      const iid = nextId("cell");
      const e2 = h("div", { class: "h4s-a-error", id: nextId("err"), "data-path": pathKey(cpath) });
      ctx.slots.set(pathKey(cpath), e2);
      errs.push(e2);
      const input = h("input", { type: "text", id: iid, class: `h4s-a-cell${code && c.name === "text" ? " h4s-a-code" : ""}`,
        spellcheck: code ? "false" : null, "data-field": pathKey(cpath),
        "aria-describedby": [c.help ? c.helpId : null, e2.id].filter(Boolean).join(" ") });
      input.value = value[c.name] === undefined || value[c.name] === null ? "" : String(value[c.name]);
      input.addEventListener("input", () => {
        setOrDelete(value, c.name, input.value, c.req || (p.type === "string" && !unwrap((items.properties || {})[c.name], ctx.defs).nullable));
        ctx.changed();
      });
      if (movable) {
        input.addEventListener("keydown", (e) => {   // Alt+Up / Alt+Down move the row, as the buttons do
          if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
          const j = e.key === "ArrowUp" ? i - 1 : i + 1;
          if (j < 0 || j >= list.length) return;
          e.preventDefault();
          [list[i], list[j]] = [list[j], list[i]];
          ctx.changed(true);
          redraw(`[data-field="${pathKey([...path, j, c.name])}"]`);
        });
      }
      ctx.widgets.set(pathKey(cpath), input);
      row.append(h("span", { class: `h4s-a-col h4s-a-col-${c.name}` },
        h("label", { for: iid, class: "h4s-a-sr-only", text: `${c.title}, ${label.toLowerCase()}` }), input));
    }
    const tools = h("span", { class: "h4s-a-tools" });
    if (movable) {
      tools.append(
        h("button", { type: "button", class: "h4s-a-btn h4s-a-up", "aria-label": `Move ${label.toLowerCase()} up`,
          disabled: i === 0, text: "\u2191", onclick: () => {
            [list[i - 1], list[i]] = [list[i], list[i - 1]]; ctx.changed(true);
            redraw(`[data-path="${pathKey([...path, i - 1])}"] .h4s-a-up:not([disabled]), [data-path="${pathKey([...path, i - 1])}"] .h4s-a-down`);
          } }),
        h("button", { type: "button", class: "h4s-a-btn h4s-a-down", "aria-label": `Move ${label.toLowerCase()} down`,
          disabled: i === list.length - 1, text: "\u2193", onclick: () => {
            [list[i + 1], list[i]] = [list[i], list[i + 1]]; ctx.changed(true);
            redraw(`[data-path="${pathKey([...path, i + 1])}"] .h4s-a-down:not([disabled]), [data-path="${pathKey([...path, i + 1])}"] .h4s-a-up`);
          } }));
    }
    tools.append(h("button", { type: "button", class: "h4s-a-btn h4s-a-danger h4s-a-remove",
      "aria-label": `Remove ${label.toLowerCase()}`, text: "\u2715", onclick: () => {
        list.splice(i, 1); ctx.changed(true); redraw(`[data-add="${pathKey(path)}"]`);
      } }));
    row.append(tools);
    const idPath = pathKey([...ipath, "id"]);
    const idErr = h("div", { class: "h4s-a-error", "data-path": idPath });
    ctx.slots.set(idPath, idErr);
    const rowErr = h("div", { class: "h4s-a-error", "data-path": pathKey(ipath) });
    ctx.slots.set(pathKey(ipath), rowErr);
    fs.append(row, h("div", { class: "h4s-a-rowerrors" }, ...errs.map((e) => e), idErr, rowErr));
  });
  fs.append(h("button", { type: "button", class: "h4s-a-btn", "data-add": pathKey(path), text: `+ Add ${what}`,
    onclick: () => {
      const fresh = emptyOf(schema.items || {}, ctx.defs);
      if ("id" in fresh) fresh.id = freshId(list);
      list.push(fresh);
      ctx.changed(true);
      redraw(`[data-path="${pathKey([...path, list.length - 1])}"] input`);
    } }), err);
  wrap.append(fs);
  return wrap;
}

const DEDICATED = {
  "cloze.text": clozeText,
  "cloze.gap_feedback": null,   // inside the gaps of the text, one per gap
  "matching.pairs": (a) => rowsField(a, { columns: ["left", "right", "feedback"], movable: true }),
  "ordering.items": (a) => rowsField(a, { columns: ["text"], numbered: true, movable: true, code: !!a.obj.code }),
};

function freshId(list) {
  const used = new Set(list.map((x) => x && x.id));
  for (const c of "abcdefghijklmnopqrstuvwxyz") if (!used.has(c)) return c;
  let n = list.length + 1;
  while (used.has(`item-${n}`)) n += 1;
  return `item-${n}`;
}

function showErrors(ctx, errors, general) {
  ctx.lastErrors = errors;
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
    ctx = { defs, slots: new Map(), widgets: new Map(), changed, qtype: q.type,
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
        const link = f.link ? findingLink(f.link) : null;
        list.append(h("li", { class: `h4s-a-finding h4s-a-${f.severity}` },
          h("strong", { text: f.severity === "error" ? "\u2717 Error" : "\u26a0 Warning" }), ` [${f.step}] ${f.message}. `,
          f.fix ? h("span", { class: "h4s-a-fix", text: `Fix: ${f.fix} ` }) : null, link));
      }
      results.append(h("section", { class: "h4s-a-group", "aria-label": g.label }, h("h4", { text: g.label }), list));
    }
  }
  for (const t of ["running", "progress", "groups", "done", "summary"]) model.on(`change:${t}`, draw);
  model.on("msg:custom", (msg) => {
    if (msg && msg.action === "open_cell") goToCell(msg, null);
  });
  // A finding's cell link: a real link to the module notebook (JupyterLab's /lab/tree/<path>); a click or
  // Enter opens the notebook in its tab (or activates the open one) and selects the cell, when the page
  // exposes JupyterLab's application (h4s lab does: LabApp.expose_app_in_browser); else the link is followed.
  // (found when the links are drawn: the panel is in the page by then)
  let known = null;
  const notebookPath = () => known || (known = serverPath({ ...(model.get("notebook") || {}), home: model.get("home") }, el));
  const announce = h("div", { class: "h4s-a-goto-status", role: "status" });
  root.append(announce);
  function findingLink(link) {
    if (link.kind !== "cell") {
      return h("a", { href: "#", class: "h4s-a-goto", "data-kind": link.kind, text: link.label,
        onclick: (e) => { e.preventDefault(); model.send({ action: "goto", link }); } });
    }
    const nbPath = notebookPath();
    const href = nbPath ? labUrl(nbPath) : "#";
    return h("a", { href, class: "h4s-a-goto", "data-kind": "cell", "data-cell-id": link.cell_id || null,
      "data-path": nbPath || null, text: link.label,
      onclick: (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button === 1) return;   // a new browser tab: the link itself
        const app = window.jupyterapp;
        if (app && nbPath) { e.preventDefault(); goToCell({ ...link, path: nbPath }, app); return; }
        if (!nbPath) {
          e.preventDefault();
          say(scrollToCell(el, link.cell_id, link.index) ? `${link.label.replace(/^Go to /, "")} selected` :
            "The cell is in the module notebook: open it from the file browser");
        }
      } });
  }
  function say(text) {
    announce.textContent = text;
    pageAnnouncer().textContent = text;
  }
  async function goToCell(link, app) {
    app = app || window.jupyterapp;
    const path = link.path || notebookPath();
    if (!app || !path) { scrollToCell(el, link.cell_id, link.index); return; }
    const name = path.split("/").pop();
    try {
      const n = await selectCell(app, path, link.cell_id, Number(link.index));
      say(n === null ? `${name} is open; its cell ${Number(link.index) + 1} is no longer there (check again)`
        : `${name}: cell ${n + 1} selected`);
    } catch (err) {
      say(`${name} could not be opened: ${err && err.message ? err.message : err}`);
    }
  }
  draw();
}

// ------------------------------------------------------------------ JupyterLab: documents and cells
function pageConfig() {
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  try { return JSON.parse(node.textContent); } catch (e) { return null; }
}

function labUrl(path) {
  const cfg = pageConfig() || {};
  return `${String(cfg.baseUrl || "/").replace(/\/?$/, "/")}lab/tree/${path.split("/").map(encodeURIComponent).join("/")}`;
}

// The notebook's path as JupyterLab names it (relative to the server's root): from its absolute path and the
// server root of the page config (which writes the home folder as ~), else relative to the notebook that
// holds the panel (the kernel's folder).
function serverPath(nb, el) {
  const cfg = pageConfig();
  if (!cfg || !nb) return null;
  let root = String(cfg.serverRoot || "").replace(/\/+$/, "");
  if (root.startsWith("~") && nb.home) root = String(nb.home).replace(/\/+$/, "") + root.slice(1);
  const abs = String(nb.abs || "");
  if (root && abs.startsWith(root + "/")) return abs.slice(root.length + 1);
  const app = window.jupyterapp;
  if (app && nb.rel && el) {
    for (const w of app.shell.widgets("main")) {
      if (w.node && w.node.contains(el) && w.context && typeof w.context.path === "string") {
        const parts = w.context.path.split("/").slice(0, -1);
        for (const p of String(nb.rel).split("/")) {
          if (p === "..") parts.pop(); else if (p && p !== ".") parts.push(p);
        }
        return parts.join("/");
      }
    }
  }
  return null;
}

// Opens (or activates) the notebook's tab and selects the cell (by its id, else its index): its index, or null.
async function selectCell(app, path, cellId, index) {
  const widget = await app.commands.execute("docmanager:open", { path, factory: "Notebook" });
  if (!widget) throw new Error("JupyterLab did not open it");
  app.shell.activateById(widget.id);
  if (widget.context && widget.context.ready) await widget.context.ready;
  if (widget.revealed) await widget.revealed;
  const nb = widget.content;
  if (!nb || !Array.isArray(nb.widgets)) return null;
  let i = cellId ? nb.widgets.findIndex((c) => c.model && c.model.id === cellId) : -1;
  if (i < 0) i = index;
  if (!(i >= 0 && i < nb.widgets.length)) return null;
  nb.mode = "command";
  nb.activeCellIndex = i;
  if (nb.deselectAll) nb.deselectAll();
  if (nb.scrollToItem) await nb.scrollToItem(i, "center");
  else if (nb.activeCell) nb.activeCell.node.scrollIntoView({ block: "center" });
  app.shell.activateById(widget.id);   // focus goes to the notebook, in command mode, on the cell
  return i;
}

function pageAnnouncer() {
  // one polite live region on the page: the panel's own may be in a tab that is hidden by then
  let node = document.getElementById("h4s-a-announcer");
  if (!node) {
    node = h("div", { id: "h4s-a-announcer", role: "status", class: "h4s-a-sr-only" });
    document.body.append(node);
  }
  return node;
}

// ------------------------------------------------------------------ preview
function filesUrl(path, home) {
  // JupyterLab's page config (baseUrl, serverRoot): the page is served by the Jupyter server's files/ route
  const rel = serverPath({ abs: path, home: home || null }, null);
  if (!rel) return null;
  const cfg = pageConfig() || {};
  return `${String(cfg.baseUrl || "/").replace(/\/?$/, "/")}files/${rel.split("/").map(encodeURIComponent).join("/")}`;
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
      const url = filesUrl(page, model.get("home"));
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
