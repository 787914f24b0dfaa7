// qda serve: the coding page. Plain JavaScript, no libraries, nothing loaded
// from elsewhere. Offsets sent to the server are in code points, as
// everywhere in qda; the DOM counts UTF-16 units, so every offset taken from
// a selection is converted (Array.from splits a string by code point).
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
};

const state = {
  study: null,
  caseId: null,
  data: null,       // the open case
  bySegment: new Map(), // segment id → this coder's codings there, as saved
  reviewed: null,   // the open case's reviewed segment ids (a Set), null = all
  segmentIndex: new Map(), // segment id → its index in the open case
  blocks: new Map(), // segment id → its block in the transcript
  version: null,    // of the codings file
  undo: [],
  redo: [],
  focus: -1,        // index of the focused segment
  compare: null,
  reanchored: null, // what the last carrying-over reported
  // Saving: every edit is queued and sent in order, the waiting ones in one
  // request as soon as the one in flight is answered, so no key press is
  // lost however fast they come.
  queue: [],        // steps not sent yet: { edits, message, queued }
  inFlight: null,   // the steps being sent
  failed: null,     // the error that stopped saving; the queue waits for Retry
  saved: '',        // what the last answered save did
  answers: 0,       // saves answered, to notice one during a page load
  reanchoring: false,
  rendering: 0,     // counts renderings, so an outdated one stops building
  built: false,     // every block of the transcript is built
  similar: null,    // the last "suggest similar" answer, less those acted on
};

async function api(path, options = {}) {
  const headers = Object.assign({ 'X-QDA-Token': token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) {
    const error = new Error((body && body.error) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.version = body && body.version;
    throw error;
  }
  return body;
}

function say(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.className = kind;
}

const codeById = (id) => state.study.codebook.codes.find((c) => c.id === id);
const codable = () => state.study.codebook.codes.filter((c) => c.codable);
const label = (id) => (codeById(id) || { label: id }).label;
const colour = (id) => (codeById(id) || {}).color || '#888888';

// ---- loading ---------------------------------------------------------------

async function loadStudy() {
  state.study = await api('/api/study');
  if (!saving()) state.version = state.study.version;
  $('title').textContent = state.study.codebook.name;
  $('who').textContent = `coder ${state.study.coder} · saving to ${state.study.codings.split(/[\\/]/).pop()}`;
  $('who').title = state.study.codings;
  const filter = $('filter');
  const chosen = filter.value;
  filter.replaceChildren(el('option', { value: '' }, 'all segments'),
    ...codable().map((c) => el('option', { value: c.id }, `with ${c.label}`)));
  filter.value = chosen;
  const similar = $('similar-code');
  const asked = similar.value;
  similar.replaceChildren(...codable().map((c) => el('option', { value: c.id }, c.label)));
  if (asked) similar.value = asked;
  // Blind coding hides the comparison until the coder turns it off.
  $('blind').hidden = !state.study.blind;
  $('compare-with').closest('label').hidden = state.study.blind;
  const compare = $('compare-with');
  if (compare.options.length === 1 && !state.study.blind) {
    compare.append(el('option', { value: 'rules' }, 'the rules'),
      ...state.study.compare.map((name) => el('option', { value: name }, name)));
  }
  renderCases();
}

// Waits until no save is in flight, so a case read from the server is not
// older than a save the page is about to hear of.
async function settled() {
  while (state.inFlight) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function openCase(caseId, keepFocus = false, early = null) {
  const started = performance.now();
  let data;
  let answers;
  do {
    await settled();
    answers = state.answers;
    data = await (early || api(`/api/cases/${encodeURIComponent(caseId)}`));
    early = null;
  } while (answers !== state.answers || state.inFlight);
  state.caseId = caseId;
  state.data = data;
  state.bySegment = new Map();
  for (const c of data.codings) {
    const list = state.bySegment.get(c.segment);
    if (list) list.push(c); else state.bySegment.set(c.segment, [c]);
  }
  delete data.codings;
  state.reviewed = data.reviewed === null ? null : new Set(data.reviewed);
  state.segmentIndex = new Map(data.segments.map((s, i) => [s.id, i]));
  if (!saving()) state.version = data.version;
  if (!keepFocus) state.focus = -1;
  setHash();
  for (const node of $('cases').querySelectorAll('.case')) markOpen(node);
  renderTree();
  // After the next frame is painted: when the transcript appeared (ms since
  // navigation) and how long opening the case took; read by the speed
  // tests. Asked for first, so it runs before the rest of the transcript is
  // built.
  afterPaint(() => {
    performance.mark('qda-painted');
    document.body.dataset.paintedAt = String(Math.round(performance.now()));
    document.body.dataset.openMs = String(Math.round(performance.now() - started));
  });
  renderTranscript();
  renderCaseMemo();
  const open = document.querySelector('.case.open');
  if (open && !keepFocus) {
    // Scroll the case list only, never the page (on a tablet the list is below).
    const nav = $('cases');
    nav.scrollTop = Math.max(0, open.offsetTop - nav.clientHeight / 3);
    nav.scrollLeft = Math.max(0, open.offsetLeft - 8);
  }
}

// The open case and comparison live in the address, so a reload (or a
// shared link, for a team meeting) comes back to the same view.
function setHash() {
  const compare = $('compare-with').value;
  const hash = `#case=${encodeURIComponent(state.caseId)}` + (compare ? `&compare=${encodeURIComponent(compare)}` : '');
  if (location.hash !== hash) history.replaceState(null, '', `${location.search}${hash}`);
}

const fromHash = (key) => decodeURIComponent((location.hash.match(new RegExp(`${key}=([^&]+)`)) || [])[1] || '');

async function refresh(keepFocus = true) {
  await loadStudy();
  await openCase(state.caseId, keepFocus);
  if (state.compare) await loadCompare();
}

// ---- case list ---------------------------------------------------------------

function renderCases() {
  $('cases').replaceChildren(el('h2', {}, 'Cases'), ...state.study.cases.map(caseButton));
}

function caseButton(c) {
  const exclusive = state.study.codebook.codes.filter((code) => code.exclusive);
  const attrs = Object.entries(c.attributes).slice(0, 4).map(([k, v]) => `${k}: ${v}`).join(' · ');
  const counts = Object.entries(c.counts).map(([code, n]) => {
    const span = el('span', { class: 'count', title: label(code) }, `${label(code)} ${n}`);
    span.style.borderColor = colour(code);
    return span;
  });
  const assigned = exclusive.map((p) => el('div', { class: 'assigned' },
    `${p.label}: `, el('b', {}, c.assigned[p.id] ? label(c.assigned[p.id]) : 'uncoded')));
  const differing = state.compare ? state.compare.disagreements.filter((d) => d.case === c.case).length : 0;
  if (differing) assigned.push(el('div', { class: 'differs' }, `${differing} disagreement${differing > 1 ? 's' : ''} with ${state.compare.other}`));
  return markOpen(el('button', {
    type: 'button', class: 'case' + (c.changed ? ' changed' : ''), dataset: { case: c.case },
    title: c.changed || null,
    onclick: () => openCase(c.case).catch(fail),
  }, el('div', { class: 'case-id' }, c.case), el('div', { class: 'attrs' }, attrs), ...assigned, el('div', { class: 'counts' }, counts)));
}

function markOpen(node) {
  const open = node.dataset.case === state.caseId;
  node.classList.toggle('open', open);
  if (open) node.setAttribute('aria-current', 'page'); else node.removeAttribute('aria-current');
  return node;
}

// ---- codebook tree -----------------------------------------------------------

function renderTree() {
  const tree = $('tree');
  const codes = state.study.codebook.codes;
  const depth = (code) => { let d = 0; let p = code.parent; while (p) { d += 1; p = (codeById(p) || {}).parent; } return d; };
  const keys = codable().map((c) => c.id);
  tree.replaceChildren(...codes.map((code) => {
    const key = keys.indexOf(code.id);
    const shortcut = key >= 0 && key < 9 ? String(key + 1) : null;
    const info = () => showDetails(code);
    const props = {
      class: 'code' + (code.codable ? '' : ' group'), role: 'listitem', dataset: { code: code.id },
      onmouseenter: info, onfocus: info,
    };
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = colour(code.id);
    const body = [swatch, shortcut ? el('kbd', {}, shortcut) : null, ` ${code.label} `,
      code.codable ? el('span', { class: 'n', title: 'segments coded in this case / in all cases' }) : null];
    const node = code.codable
      ? el('button', Object.assign(props, {
        type: 'button', onclick: () => applyCode(code.id), title: `Apply ${code.label}`,
        // Keep the text selection and a focused coding chip when clicked.
        onmousedown: (e) => e.preventDefault(),
      }), ...body)
      : el('div', Object.assign(props, { tabindex: '0' }), ...body, code.exclusive ? el('span', { class: 'n' }, 'one per case') : null);
    node.style.marginLeft = `${depth(code) * 1.1}em`;
    return node;
  }));
  updateTreeCounts();
}

// Coded segments on both sides, as the case list counts them.
function updateTreeCounts() {
  const current = state.study.cases.find((c) => state.data && c.case === state.data.case);
  const here = current ? current.counts : {};
  const total = {};
  for (const c of state.study.cases) for (const [code, n] of Object.entries(c.counts)) total[code] = (total[code] || 0) + n;
  for (const node of $('tree').querySelectorAll('button.code')) {
    const code = node.dataset.code;
    node.querySelector('.n').textContent = `${here[code] || 0} / ${total[code] || 0}`;
  }
}

function showDetails(code) {
  const part = (title, text) => (text ? [el('dt', {}, title), el('dd', {}, text)] : []);
  $('details').replaceChildren(el('h3', {}, code.label, ' ', el('code', {}, code.id)), el('dl', {},
    ...part('Definition', code.definition), ...part('Include', code.include), ...part('Exclude', code.exclude),
    ...(code.examples.length ? [el('dt', {}, 'Examples'), el('dd', {}, el('ul', {}, code.examples.map((e) => el('li', {}, e))))] : [])));
}

// ---- transcript --------------------------------------------------------------

const NONE = [];

function segmentCodings(seg) {
  return state.bySegment.get(seg.id) || NONE;
}

function isReviewed(seg) {
  return state.reviewed === null || state.reviewed.has(seg.id);
}

// A suggestion stays open until its segment is reviewed: once the coder has
// coded the segment or rejected a suggestion there, the codes not applied
// are the coder's "no" (as `qda agree` counts them).
function openSuggestions(seg) {
  if (isReviewed(seg) || seg.interviewer || state.data.changed) return NONE;
  const mine = new Set(segmentCodings(seg).map((c) => c.code));
  return state.data.suggestions.filter((s) => s.segment === seg.id && !mine.has(s.code));
}

// Splits a segment's text at every coding and suggestion boundary.
function pieces(seg, codings, suggestions) {
  if (!codings.length && !suggestions.length) {
    return [el('span', { class: 'piece', dataset: { cp: String(seg.start) } }, seg.text)];
  }
  const chars = Array.from(seg.text);
  const cuts = new Set([seg.start, seg.end]);
  for (const c of codings) { cuts.add(Math.max(seg.start, c.start)); cuts.add(Math.min(seg.end, c.end)); }
  for (const s of suggestions) { cuts.add(s.match_start); cuts.add(s.match_end); }
  const sorted = [...cuts].filter((x) => x >= seg.start && x <= seg.end).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (a === b) continue;
    const span = el('span', { class: 'piece', dataset: { cp: String(a) } }, chars.slice(a - seg.start, b - seg.start).join(''));
    const covering = codings.filter((c) => c.start <= a && b <= c.end);
    if (covering.length) {
      span.classList.add('coded');
      span.style.backgroundColor = colour(covering[covering.length - 1].code) + '40';
      span.style.boxShadow = covering.map((c, j) => `inset 0 -${2 + 2 * j}px 0 ${colour(c.code)}`).join(', ');
      span.title = covering.map((c) => label(c.code)).join(', ');
    }
    const suggested = suggestions.filter((s) => s.match_start <= a && b <= s.match_end);
    if (suggested.length) {
      span.classList.add('suggested');
      span.style.outlineColor = colour(suggested[0].code);
      span.title = (span.title ? span.title + ' · ' : '') + 'suggested: ' + suggested.map((s) => label(s.code)).join(', ');
    }
    out.push(span);
  }
  return out;
}

function disagreements() {
  return new Set((state.compare ? state.compare.disagreements : []).filter((d) => d.case === state.data.case).map((d) => d.segment));
}

// One segment's block: speaker, text with its codings, and the margin.
// Clicks and keys on its chips and buttons are handled on the transcript
// (see the listeners at the end), so a block is cheap to build and refill.
function segmentBlock(seg, index, disagree) {
  const block = el('div', { dataset: { index: String(index), id: seg.id }, tabindex: seg.interviewer ? null : '-1' });
  fillBlock(block, seg, index, disagree);
  return block;
}

// Builds a block's contents; a save refills the blocks it touched in place,
// so the block keeps the keyboard focus and nothing else is laid out anew.
function fillBlock(block, seg, index, disagree) {
  const data = state.data;
  const codings = segmentCodings(seg);
  const suggestions = openSuggestions(seg);
  const chips = codings.map((c) => {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colour(c.code);
    return el('button', {
      type: 'button', class: 'chip', dataset: { segment: c.segment, code: c.code, start: String(c.start), end: String(c.end) },
      title: (c.memo ? `memo: ${c.memo} · ` : '') + 'Delete removes, m edits the memo, a code key changes the code',
    }, swatch, label(c.code),
    c.start !== seg.start || c.end !== seg.end ? el('small', {}, ` ${c.start}–${c.end}`) : null,
    c.memo ? el('span', { class: 'memo' }, ` ✎ ${c.memo}`) : null,
    el('span', { class: 'x', title: 'Remove', role: 'button', 'aria-label': `Remove ${label(c.code)}` }, ' ×'));
  });
  const offers = suggestions.map((s, i) => el('span', { class: 'suggestion', dataset: { offer: String(i) } },
    `rule: ${label(s.code)} (“${s.term}”) `,
    el('button', { type: 'button', class: 'accept' }, 'Accept'),
    el('button', { type: 'button', class: 'reject' }, 'Reject')));
  const other = state.compare ? (state.compare.other_codes[seg.id] || []) : [];
  const memos = (data.memos || []).filter((m) => m.segment === seg.id)
    .map((m) => el('span', { class: 'memo', title: 'memo on the segment, without a code' }, ` ✎ ${m.memo}`));
  const differs = disagree.has(seg.id);
  block.className = 'segment' + (seg.interviewer ? ' interviewer' : '') + (differs ? ' disagree' : '') + (index === state.focus ? ' focused' : '');
  if (differs) block.setAttribute('aria-label', 'disagreement'); else block.removeAttribute('aria-label');
  block.replaceChildren(
    el('div', { class: 'speaker' }, seg.speaker, seg.time ? el('small', {}, ` ${seg.time}`) : null),
    el('div', { class: 'text', lang: 'und' }, pieces(seg, codings, suggestions)),
    ...(seg.interviewer ? (memos.length ? [el('div', { class: 'margin' }, memos)] : []) : [el('div', { class: 'margin' }, chips, memos, offers,
      state.compare ? el('span', { class: differs ? 'other differs' : 'other' }, `${state.compare.other}: ${other.length ? other.map(label).join(', ') : '—'}`) : null)]));
}

const showsSegment = (seg, filter) => !filter || segmentCodings(seg).some((c) => c.code === filter);

// Blocks built at once when the transcript is rendered (more than a
// screenful), and then per task: a long interview's thousands of codings
// are not all built before the first paint, and keys are answered between
// the slices.
const FIRST_BLOCKS = 30;
const BLOCKS_PER_TASK = 40;

function renderTranscript() {
  const box = $('transcript');
  const data = state.data;
  const filter = $('filter').value;
  const page = document.createDocumentFragment();
  page.append(el('h2', {}, `${data.case} `, el('span', { class: 'path' }, data.path)));
  if (data.changed) {
    page.append(el('div', { class: 'warning', role: 'alert' }, el('p', {}, data.changed),
      data.restart ? null : el('button', { type: 'button', id: 'reanchor', onclick: reanchor }, 'Carry the codings over to the new text')));
  }
  if (state.reanchored) page.append(reanchoredNotice(state.reanchored));
  state.blocks = new Map();
  const shown = [];
  data.segments.forEach((seg, index) => { if (showsSegment(seg, filter)) shown.push(index); });
  const rendering = ++state.rendering;
  state.built = false;
  let next = 0;
  const build = (parent, count) => {
    const disagree = disagreements();
    for (const end = Math.min(shown.length, next + count); next < end; next += 1) {
      const index = shown[next];
      const seg = data.segments[index];
      const block = segmentBlock(seg, index, disagree);
      state.blocks.set(seg.id, block);
      parent.append(block);
      // Re-rendering dropped the keyboard focus: give it back to the
      // segment once the block is in the page.
      if (index === state.focus) {
        queueMicrotask(() => {
          const active = document.activeElement;
          if (block.isConnected && (!active || active === document.body)) block.focus({ preventScroll: true });
        });
      }
    }
  };
  build(page, FIRST_BLOCKS);
  box.replaceChildren(page);
  const more = () => {
    if (rendering !== state.rendering) return; // rendered anew meanwhile
    const slice = document.createDocumentFragment();
    build(slice, BLOCKS_PER_TASK);
    box.append(slice);
    if (next < shown.length) setTimeout(more, 0); else built();
  };
  if (next < shown.length) afterPaint(more); else built();
}

// Every block is in the page (when, for the speed test).
function built() {
  state.built = true;
  document.body.dataset.builtAt = String(Math.round(performance.now()));
}

// Runs `task` once the next frame has been painted.
const afterPaint = (task) => requestAnimationFrame(() => setTimeout(task, 0));

// Refills the blocks of the segments a save touched, keeping the keyboard
// focus where it was (on the segment, or on the same coding).
function patchSegments(ids) {
  const filter = $('filter').value;
  const disagree = disagreements();
  for (const id of ids) {
    const index = state.segmentIndex.get(id);
    const seg = state.data.segments[index];
    const block = state.blocks.get(id);
    // A block not built yet is built from the codings as saved now.
    if (seg && !block && !state.built && showsSegment(seg, filter)) continue;
    if (!seg || !block || !showsSegment(seg, filter)) { renderTranscript(); return; }
    const chip = focusedChip();
    const had = chip && block.contains(chip) ? chip.dataset : null;
    fillBlock(block, seg, index, disagree);
    if (had) {
      const same = [...block.querySelectorAll('.chip')].find((c) => c.dataset.code === had.code && c.dataset.start === had.start && c.dataset.end === had.end);
      (same || block).focus({ preventScroll: true });
    }
  }
}

function markFocus() {
  for (const s of document.querySelectorAll('.segment.focused')) s.classList.remove('focused');
  const seg = state.data && state.data.segments[state.focus];
  const node = seg && state.blocks.get(seg.id);
  if (node) node.classList.add('focused');
}

function focusSegment(step) {
  const nodes = [...document.querySelectorAll('.segment:not(.interviewer)')];
  if (!nodes.length) return;
  let at = nodes.findIndex((n) => Number(n.dataset.index) === state.focus);
  at = at < 0 ? (step > 0 ? 0 : nodes.length - 1) : Math.min(nodes.length - 1, Math.max(0, at + step));
  state.focus = Number(nodes[at].dataset.index);
  nodes[at].focus();
  nodes[at].scrollIntoView({ block: 'nearest' });
  markFocus();
}
// ---- selections to code-point spans --------------------------------------------

// The code-point offset of a DOM position inside a segment's text.
function offsetOf(node, offset) {
  let piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  if (piece && piece.classList.contains('text')) {
    // A position between pieces: take the piece after it (or the end of the last).
    const child = piece.childNodes[offset];
    if (child) return Number(child.dataset.cp);
    const last = piece.lastElementChild;
    return last ? Number(last.dataset.cp) + Array.from(last.textContent).length : null;
  }
  piece = piece && piece.closest('.piece');
  if (!piece) return null;
  const before = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : '';
  return Number(piece.dataset.cp) + Array.from(before).length;
}

function segmentOfNode(node) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const block = element && element.closest('.segment');
  return block ? state.data.segments[Number(block.dataset.index)] : null;
}

// The spans the current selection covers, one per codable segment.
function selectedSpans() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const first = segmentOfNode(range.startContainer);
  const last = segmentOfNode(range.endContainer);
  if (!first || !last) return null;
  let start = offsetOf(range.startContainer, range.startOffset);
  let end = offsetOf(range.endContainer, range.endOffset);
  if (start === null || !range.startContainer.parentElement.closest('.text')) start = first.start;
  if (end === null || !range.endContainer.parentElement || !(range.endContainer.nodeType === Node.TEXT_NODE ? range.endContainer.parentElement : range.endContainer).closest('.text')) end = last.end;
  const segs = state.data.segments;
  const from = segs.indexOf(first);
  const to = segs.indexOf(last);
  const spans = [];
  for (let i = from; i <= to; i += 1) {
    const seg = segs[i];
    if (seg.interviewer) continue;
    const a = Math.max(seg.start, i === from ? start : seg.start);
    const b = Math.min(seg.end, i === to ? end : seg.end);
    // Trim white space at the edges of the span.
    const chars = Array.from(seg.text);
    let x = a; let y = b;
    while (x < y && /\s/.test(chars[x - seg.start])) x += 1;
    while (y > x && /\s/.test(chars[y - 1 - seg.start])) y -= 1;
    if (x < y) spans.push({ segment: seg.id, start: x, end: y });
  }
  return spans;
}

// ---- saving --------------------------------------------------------------------

// Whether edits are on their way to the file (not stopped by an error).
const saving = () => Boolean(state.inFlight) || (state.queue.length > 0 && !state.failed);

// The edits made but not saved yet, in order.
const pendingEdits = () => (state.inFlight || []).concat(state.queue).flatMap((step) => step.edits);

// Queues a step's edits; they are sent as soon as no save is in flight.
function enqueue(edits, message) {
  state.queue.push({ edits, message, queued: performance.now() });
  pump();
}

// Sends every waiting step in one request, unless one is in flight or an
// error stopped saving; called again when the answer comes.
function pump() {
  showSaving();
  if (state.inFlight || state.failed || !state.queue.length) return;
  const batch = state.queue.splice(0);
  state.inFlight = batch;
  showSaving();
  api('/api/edits', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ version: state.version, edits: batch.flatMap((step) => step.edits) }),
  }).then((answer) => {
    state.inFlight = null;
    state.answers += 1;
    state.version = answer.version;
    state.saved = batch[batch.length - 1].message;
    applyChanges(answer);
    for (const step of batch) performance.measure('qda-edit-saved', { start: step.queued });
    pump();
  }, (error) => {
    state.inFlight = null;
    state.answers += 1;
    // Nothing of the batch was saved (all or none): it goes back to the
    // front of the queue, which waits for Retry or Discard.
    state.queue.unshift(...batch);
    state.failed = error;
    if (error.status === 409) {
      // The file changed (another tab, or on disk): show it as it is now.
      if (error.version) state.version = error.version;
      refresh(true).then(showSaving, fail);
    }
    showSaving();
  });
}

function showSaving() {
  const waiting = state.queue.length + (state.inFlight ? state.inFlight.length : 0);
  $('unsaved').hidden = !state.failed;
  if (state.failed) {
    say(`${state.failed.message} — ${waiting} change${waiting === 1 ? '' : 's'} not saved: Retry sends ${waiting === 1 ? 'it' : 'them'} again, Discard drops ${waiting === 1 ? 'it' : 'them'}`, 'error');
  } else if (waiting) {
    const last = state.queue.length ? state.queue[state.queue.length - 1] : state.inFlight[state.inFlight.length - 1];
    say(`${last.message} · saving…`, 'info');
  } else if (state.saved) {
    say(`${state.saved} · saved`, 'ok');
  }
}

function retry() {
  state.failed = null;
  pump();
}

// Drops the changes not saved; the undo history went with them.
function discard() {
  const dropped = state.queue.length;
  state.queue = [];
  state.failed = null;
  state.undo = []; state.redo = []; updateUndo();
  $('unsaved').hidden = true;
  say(`${dropped} change${dropped === 1 ? '' : 's'} discarded`, 'info');
  refresh(true).catch(fail);
}

// Patches the page with what the save changed: the touched segments'
// blocks, the case's counters; nothing else is read or rebuilt.
function applyChanges(answer) {
  if (answer.blind !== state.study.blind) { refresh(true).catch(fail); return; }
  for (const change of answer.cases) {
    const summary = state.study.cases.find((c) => c.case === change.case);
    if (summary) {
      summary.counts = change.counts;
      summary.assigned = change.assigned;
      const node = [...$('cases').querySelectorAll('.case')].find((n) => n.dataset.case === change.case);
      if (node) node.replaceWith(caseButton(summary));
    }
    if (state.data && change.case === state.data.case) {
      state.reviewed = change.reviewed === null ? null : new Set(change.reviewed);
    }
  }
  const here = answer.segments.filter((s) => state.data && s.case === state.data.case);
  for (const s of here) {
    if (s.codings.length) state.bySegment.set(s.segment, s.codings); else state.bySegment.delete(s.segment);
    state.data.memos = (state.data.memos || []).filter((m) => m.segment !== s.segment).concat(s.memos || []);
  }
  if (state.data) {
    patchSegments(here.map((s) => s.segment));
    updateTreeCounts();
  }
  // A comparison counts disagreements over every case: read it again.
  if (state.compare) loadCompare().catch(fail);
}

// Carries every coding of a changed transcript over to its new text, as
// `qda reanchor` does; the codings found on other text or not found are
// listed until the notice is dismissed.
async function reanchor() {
  if (state.reanchoring) return;
  if (state.inFlight || state.queue.length) { say('Wait until the changes are saved.', 'error'); return; }
  state.reanchoring = true;
  try {
    const result = await api('/api/reanchor', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: state.version }),
    });
    state.version = result.version;
    state.reanchored = result;
    state.undo = []; state.redo = []; updateUndo();
    say(`codings carried over: ${result.kept} kept, ${result.moved} moved, ${result.changed} changed, ${result.lost} lost; the file as it was is ${result.backup}`,
      result.changed + result.lost > 0 ? 'error' : 'ok');
    await refresh(true);
  } catch (error) {
    say(error.message, 'error');
    if (error.status === 409) await refresh(true).catch(fail);
  } finally {
    state.reanchoring = false;
  }
}

function reanchoredNotice(result) {
  const quote = (text) => `“${text}”`;
  const items = result.attention.map((a) => el('li', { class: a.fate },
    el('b', {}, `${a.fate} · ${a.segment} · ${label(a.code)}`),
    a.fate === 'changed'
      ? el('div', {}, 'was ', quote(a.was), el('br'), 'now ', quote(a.now || ''))
      : el('div', {}, quote(a.was), a.memo ? ` (memo: ${a.memo})` : '', ' — code it again')));
  return el('div', { class: 'warning', role: 'status', id: 'reanchored' },
    el('p', {}, `Carried over: ${result.kept} kept, ${result.moved} moved, ${result.changed} changed, ${result.lost} lost. The file as it was: ${result.backup}`),
    items.length ? el('ul', {}, items) : null,
    el('button', { type: 'button', onclick: () => { state.reanchored = null; renderTranscript(); } }, 'Dismiss'));
}

// ---- edits -------------------------------------------------------------------

// A step is queued at once, and undone or redone by queueing its inverse:
// the history runs ahead of the file by the steps not saved yet, and the
// queue keeps them in order, so undo and redo stay consistent however fast
// the keys come.
function act(edits, inverse, message) {
  enqueue(edits, message);
  state.undo.push({ edits, inverse, message });
  state.redo = [];
  updateUndo();
}

function updateUndo() {
  $('undo').disabled = state.undo.length === 0;
  $('redo').disabled = state.redo.length === 0;
}

function undo() {
  const step = state.undo.pop();
  if (!step) return;
  enqueue(step.inverse, `undone: ${step.message}`);
  state.redo.push(step);
  updateUndo();
}

function redo() {
  const step = state.redo.pop();
  if (!step) return;
  enqueue(step.edits, `redone: ${step.message}`);
  state.undo.push(step);
  updateUndo();
}

const identity = (c) => ({ case: c.case, segment: c.segment, code: c.code, start: c.start, end: c.end });
const addOf = (c, memo) => ({ op: 'add', case: c.case, code: c.code, start: c.start, end: c.end, memo: memo || null });

// Whether the coding of `code` at start..end in `segment` exists once the
// edits not saved yet are, so a key pressed twice before the first press
// is saved does not ask for the same change twice.
function willExist(segment, code, start, end) {
  const same = (x) => x.code === code && x.start === start && x.end === end;
  let exists = (state.bySegment.get(segment) || NONE).some(same);
  for (const edit of pendingEdits()) {
    if (edit.case === state.caseId && same(edit)) {
      if (edit.op === 'add') exists = true;
      else if (edit.op === 'remove') exists = false;
    }
  }
  return exists;
}

// The saved coding a chip shows.
function codingOf(chip) {
  const { segment, code, start, end } = chip.dataset;
  return (state.bySegment.get(segment) || NONE).find((c) => c.code === code && String(c.start) === start && String(c.end) === end);
}

function focusedChip() {
  const active = document.activeElement;
  return active && active.classList.contains('chip') ? active : null;
}

function applyCode(code) {
  if (!state.data || state.data.changed) { say('This case cannot be coded now.', 'error'); return; }
  const chip = focusedChip();
  if (chip) {
    const old = codingOf(chip);
    if (old && old.code !== code) {
      if (!willExist(old.segment, old.code, old.start, old.end)) { say(`${label(old.code)} is being changed already.`, 'info'); return; }
      if (willExist(old.segment, code, old.start, old.end)) { say(`Already coded ${label(code)}.`, 'info'); return; }
      const changed = Object.assign({}, old, { code });
      act([{ op: 'remove', ...identity(old) }, addOf(changed, old.memo)],
        [{ op: 'remove', ...identity(changed) }, addOf(old, old.memo)],
        `${label(old.code)} → ${label(code)}`);
      return;
    }
  }
  let spans = selectedSpans();
  if (spans && spans.length === 0) { say('Interviewer turns are not coded; select text in a participant turn.', 'error'); return; }
  if (!spans) {
    const seg = state.data.segments[state.focus];
    if (!seg || seg.interviewer) { say('Select some text, or focus a segment (j/k), then choose a code.', 'error'); return; }
    spans = [{ segment: seg.id, start: seg.start, end: seg.end }];
  }
  spans = spans.filter((s) => !willExist(s.segment, code, s.start, s.end));
  if (!spans.length) { say(`Already coded ${label(code)}.`, 'info'); return; }
  const adds = spans.map((s) => ({ op: 'add', case: state.caseId, code, start: s.start, end: s.end, memo: null }));
  const removes = spans.map((s) => ({ op: 'remove', case: state.caseId, segment: s.segment, code, start: s.start, end: s.end }));
  window.getSelection().removeAllRanges();
  act(adds, removes, `${label(code)} applied`);
}

function removeCoding(c) {
  if (!willExist(c.segment, c.code, c.start, c.end)) return;
  act([{ op: 'remove', ...identity(c) }], [addOf(c, c.memo)], `${label(c.code)} removed`);
}

function editMemo(c) {
  const memo = window.prompt(`Memo for ${label(c.code)} on ${c.segment}`, c.memo || '');
  if (memo === null) return;
  act([{ op: 'memo', ...identity(c), memo }], [{ op: 'memo', ...identity(c), memo: c.memo || null }], 'memo saved');
}

// A memo on a segment without codes (the `memos` of the codings file); a
// memo on a coded segment belongs to its coding (m on the chip).
function editSegmentMemo(seg) {
  if (!seg || seg.interviewer) return;
  if (segmentCodings(seg).length) { say('This segment has codings: focus one and press m to write its memo.', 'error'); return; }
  const old = ((state.data.memos || []).find((m) => m.segment === seg.id) || {}).memo || '';
  const memo = window.prompt(`Memo on ${seg.id} (no code)`, old);
  if (memo === null || memo.trim() === old) return;
  const edit = (text) => [{ op: 'segment_memo', case: state.caseId, segment: seg.id, memo: text }];
  act(edit(memo), edit(old), memo.trim() ? 'segment memo saved' : 'segment memo removed');
}

// The case memo (memos/cases/CASE.md), saved on its own, not with the codings.
function renderCaseMemo() {
  const memo = state.data.case_memo || { memo: '', version: '' };
  const box = $('case-memo-text');
  box.value = memo.memo;
  box.readOnly = Boolean(memo.read_only);
  $('case-memo-save').disabled = true;
  $('case-memo-save').hidden = Boolean(memo.read_only);
  $('case-memo-note').textContent = memo.read_only || '';
  $('case-memo-title').textContent = `Memo on ${state.data.case}`;
}

async function saveCaseMemo() {
  const memo = state.data.case_memo;
  const text = $('case-memo-text').value;
  $('case-memo-save').disabled = true;
  try {
    const answer = await api('/api/case-memo', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ case: state.data.case, version: memo.version, memo: text }),
    });
    memo.version = answer.version;
    memo.memo = text.trim();
    say(`case memo of ${state.data.case} saved`, 'info');
  } catch (error) {
    $('case-memo-save').disabled = false;
    fail(error);
  }
}

function acceptSuggestion(seg, s) {
  if (willExist(seg.id, s.code, s.start, s.end)) return;
  const c = { case: state.caseId, segment: seg.id, code: s.code, start: s.start, end: s.end };
  act([addOf(c)], [{ op: 'remove', ...identity(c) }], `suggestion ${label(s.code)} accepted`);
}

function rejectSuggestion(seg) {
  act([{ op: 'review', case: state.caseId, segment: seg.id }], [{ op: 'unreview', case: state.caseId, segment: seg.id }], 'suggestion rejected');
}

// The segment's first suggestion that no waiting edit accepts already.
function firstOffer(seg) {
  return openSuggestions(seg).find((s) => !willExist(seg.id, s.code, s.start, s.end));
}

// ---- suggest similar ------------------------------------------------------------

// The segments most like those this coder gave the chosen code (in every
// case), each to accept (codes the whole segment, saved like a key press)
// or reject (recorded in the codings file, never suggested again).
async function askSimilar() {
  const code = $('similar-code').value;
  if (!code) return;
  $('similar-note').textContent = 'Looking…';
  // The seeds are the codings saved: wait for the edits on their way.
  while (saving()) await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    state.similar = await api(`/api/similar?code=${encodeURIComponent(code)}`);
  } catch (error) {
    state.similar = null;
    $('similar-list').replaceChildren();
    $('similar-note').textContent = error.message;
    return;
  }
  renderSimilar();
}

function renderSimilar() {
  const found = state.similar;
  if (!found) return;
  const name = label(found.code);
  $('similar-note').textContent = found.suggestions.length
    ? `Like the ${found.seeds} segments coded ${name} (score, shared terms):`
    : `No other segment shares a term with the ${found.seeds} coded ${name}.`;
  $('similar-list').replaceChildren(...found.suggestions.map((x) => el('li', { class: 'similar', dataset: { segment: x.segment } },
    el('a', { href: `#case=${encodeURIComponent(x.case)}`, onclick: (e) => { e.preventDefault(); showSegment(x).catch(fail); } }, x.segment),
    ` ${x.score.toFixed(2)} `, el('span', { class: 'terms' }, x.terms.join(', ')),
    el('p', { class: 'similar-text' }, x.text.length > 240 ? `${x.text.slice(0, 240)}…` : x.text),
    el('button', { type: 'button', class: 'accept', onclick: () => acceptSimilar(x) }, 'Accept'), ' ',
    el('button', { type: 'button', class: 'reject', onclick: () => rejectSimilar(x) }, 'Reject'))));
}

// Opens the suggestion's case and focuses its segment.
async function showSegment(x) {
  if (x.case !== state.caseId) await openCase(x.case);
  const index = state.segmentIndex.get(x.segment);
  const node = document.querySelector(`.segment[data-index="${index}"]`);
  if (!node) return;
  state.focus = index;
  node.focus();
  node.scrollIntoView({ block: 'center' });
  markFocus();
}

function dropSimilar(x) {
  state.similar.suggestions = state.similar.suggestions.filter((y) => y !== x);
  renderSimilar();
}

function acceptSimilar(x) {
  const code = state.similar.code;
  const c = { case: x.case, segment: x.segment, code, start: x.start, end: x.end };
  act([addOf(c)], [{ op: 'remove', ...identity(c) }], `${x.segment}: ${label(code)} applied`);
  dropSimilar(x);
}

function rejectSimilar(x) {
  const code = state.similar.code;
  const r = { case: x.case, segment: x.segment, code };
  act([{ op: 'reject', ...r }], [{ op: 'unreject', ...r }], `${x.segment}: not like ${label(code)}`);
  dropSimilar(x);
}

// ---- comparing ------------------------------------------------------------------

async function loadCompare() {
  const which = $('compare-with').value;
  setHash();
  if (!which) { state.compare = null; $('compare-panel').replaceChildren(); renderCases(); renderTranscript(); return; }
  state.compare = await api(`/api/compare?with=${encodeURIComponent(which)}`);
  const fmt = (v) => (v === null || v === undefined ? 'undefined' : v.toFixed(3));
  const here = state.compare.disagreements.filter((d) => d.case === state.caseId).length;
  $('compare-panel').replaceChildren(
    el('h2', {}, `${state.compare.me} vs ${state.compare.other}`),
    el('p', { class: 'note' }, `${state.compare.disagreements.length} disagreements (${here} in this case), marked red in the margin.`),
    el('table', {}, el('thead', {}, el('tr', {}, [['code', 'code'], ['n', 'segments both reviewed'], ['%', 'percent agreement'], ['κ', "Cohen's kappa"], ['α', "Krippendorff's alpha (nominal)"]].map(([h, title]) => el('th', { title }, h)))),
      el('tbody', {}, state.compare.rows.map((r) => el('tr', {}, el('td', {}, r.code === 'all codes' ? r.code : label(r.code)),
        el('td', {}, String(r.units)), el('td', {}, fmt(r.percent_agreement)), el('td', {}, fmt(r.cohen_kappa)), el('td', {}, fmt(r.krippendorff_alpha)))))));
  renderCases();
  renderTranscript();
}

// ---- keys, clicks and start -------------------------------------------------------

function fail(error) { say(error.message || String(error), 'error'); }

document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.key.toLowerCase() === 'z' && !event.shiftKey) { event.preventDefault(); undo(); return; }
  if (ctrl && (event.key.toLowerCase() === 'y' || (event.key.toLowerCase() === 'z' && event.shiftKey))) { event.preventDefault(); redo(); return; }
  if (ctrl || event.altKey) return;
  const chip = target && target.classList && target.classList.contains('chip') ? codingOf(target) : null;
  if (chip && (event.key === 'Delete' || event.key === 'Backspace')) { event.preventDefault(); removeCoding(chip); }
  else if (chip && event.key === 'm') { event.preventDefault(); editMemo(chip); }
  else if (event.key === 'n') { event.preventDefault(); editSegmentMemo(state.data && state.data.segments[state.focus]); }
  else if (event.key === 'j') { event.preventDefault(); focusSegment(1); }
  else if (event.key === 'k') { event.preventDefault(); focusSegment(-1); }
  else if (/^[1-9]$/.test(event.key)) {
    const code = codable()[Number(event.key) - 1];
    if (code) { event.preventDefault(); applyCode(code.id); }
  } else if (event.key === 'a' || event.key === 'x') {
    const seg = state.data && state.data.segments[state.focus];
    const offer = seg ? firstOffer(seg) : null;
    if (offer) { event.preventDefault(); if (event.key === 'a') acceptSuggestion(seg, offer); else rejectSuggestion(seg); }
  } else if (event.key === '[' || event.key === ']') {
    const ids = state.study.cases.map((c) => c.case);
    const next = ids[ids.indexOf(state.caseId) + (event.key === ']' ? 1 : -1)];
    if (next) openCase(next).catch(fail);
  }
});

// Clicks in the transcript, for every block at once.
$('transcript').addEventListener('click', (event) => {
  const target = event.target;
  const block = target.closest('.segment');
  const seg = block && state.data.segments[Number(block.dataset.index)];
  if (!seg) return;
  const chip = target.closest('.chip');
  if (chip && target.closest('.x')) {
    event.stopPropagation();
    const c = codingOf(chip);
    if (c) removeCoding(c);
  } else if (chip) {
    chip.focus();
  } else if (target.closest('.accept')) {
    const s = openSuggestions(seg)[Number(target.closest('.suggestion').dataset.offer)];
    if (s) acceptSuggestion(seg, s);
  } else if (target.closest('.reject')) {
    rejectSuggestion(seg);
  }
});

$('transcript').addEventListener('focusin', (event) => {
  const block = event.target;
  if (block.classList.contains('segment')) { state.focus = Number(block.dataset.index); markFocus(); }
});

$('unblind').addEventListener('click', () => {
  const sure = window.confirm("Show the rules' suggestions and other coders' codings? The codings file records that blind mode was turned off, and it cannot be turned back on.");
  if (sure) enqueue([{ op: 'unblind' }], 'Blind mode turned off');
});
$('case-memo-text').addEventListener('input', () => {
  $('case-memo-save').disabled = $('case-memo-text').value.trim() === (state.data.case_memo || {}).memo;
});
$('case-memo-save').addEventListener('click', () => saveCaseMemo());
$('undo').addEventListener('click', undo);
$('redo').addEventListener('click', redo);
$('retry').addEventListener('click', retry);
$('discard').addEventListener('click', discard);
$('filter').addEventListener('change', renderTranscript);
$('similar-ask').addEventListener('click', () => askSimilar().catch(fail));
$('compare-with').addEventListener('change', () => loadCompare().catch(fail));
$('help-button').addEventListener('click', () => {
  const help = $('help');
  help.hidden = !help.hidden;
  $('help-button').setAttribute('aria-expanded', String(!help.hidden));
});
// Leaving the page with changes not saved asks first.
window.addEventListener('beforeunload', (event) => {
  if (state.inFlight || state.queue.length) event.preventDefault();
});

(async () => {
  try {
    // The case named in the address is read while the study is.
    const wanted = fromHash('case');
    const early = wanted ? api(`/api/cases/${encodeURIComponent(wanted)}`) : null;
    if (early) early.catch(() => {});
    await loadStudy();
    const ids = state.study.cases.map((c) => c.case);
    const compare = fromHash('compare');
    if ([...$('compare-with').options].some((o) => o.value === compare)) $('compare-with').value = compare;
    if (ids.includes(wanted)) await openCase(wanted, false, early);
    else await openCase(ids[0]);
    if (compare) await loadCompare();
    say('Select text and press a code key (1–9) or click a code.', 'info');
  } catch (error) {
    $('transcript').replaceChildren(el('p', { class: 'warning', role: 'alert' }, error.message));
  }
})();
