// The teacher's page: the class's progress, agreement and codes per
// segment, read from GET /api/class every few seconds. All data is put in
// as text, never as HTML.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const POLL_MS = 3000;
const SHOWN_SEGMENTS = 300;
let version = null;
let last = null;

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function number(value, digits) {
  return value === null || value === undefined ? '—' : value.toFixed(digits);
}

function row(cells, className) {
  const tr = el('tr', null, className);
  for (const cell of cells) {
    if (cell instanceof Node) tr.append(cell); else tr.append(el('td', cell));
  }
  return tr;
}

function renderStudents(data) {
  const body = $('students').tBodies[0];
  body.replaceChildren();
  const head = $('reference-head');
  head.hidden = !data.reference;
  head.textContent = data.reference ? `α with ${data.reference} (units)` : '';
  for (const s of data.students) {
    if (s.error) {
      const error = el('td', s.error, 'error');
      error.colSpan = data.reference ? 4 : 3;
      body.append(row([s.name, error]));
      continue;
    }
    const cells = [s.name, s.codings, s.cases, `${s.reviewed} of ${data.segments}`];
    if (data.reference) {
      cells.push(s.reference
        ? `${number(s.reference.krippendorff_alpha, 3)} (${s.reference.units})` : '—');
    }
    body.append(row(cells));
  }
}

function renderAgreement(data) {
  const table = $('agreement');
  const note = $('agreement-note');
  const body = table.tBodies[0];
  body.replaceChildren();
  if (!data.agreement) {
    table.hidden = true;
    note.textContent = 'Shown once two students have coded.';
    return;
  }
  table.hidden = false;
  note.textContent = `${data.agreement.coders.length} students over ${data.agreement.units} segments, as qda agree computes it.`;
  for (const r of data.agreement.rows) {
    body.append(row([r.scope === 'group' ? `${r.code} (cases)` : r.code, r.units, number(r.percent_agreement, 3), number(r.cohen_kappa, 3),
      number(r.scott_pi, 3), number(r.fleiss_kappa, 3), number(r.gwet_ac1, 3),
      number(r.krippendorff_alpha, 3)], r.scope));
  }
}

function codeList(codes) {
  return codes.length ? codes.join(', ') : 'no code';
}

function renderSegments(data) {
  const onlyDiffer = $('only-differ').checked;
  const rows = data.segment_codes.filter((s) => s.differ || !onlyDiffer);
  const box = $('segments');
  box.replaceChildren();
  const differing = data.segment_codes.filter((s) => s.differ).length;
  $('segments-note').textContent =
    `${differing} of ${data.segment_codes.length} segments reviewed by two or more differ` +
    (rows.length > SHOWN_SEGMENTS ? `; the first ${SHOWN_SEGMENTS} are shown` : '') + '.';
  for (const s of rows.slice(0, SHOWN_SEGMENTS)) {
    const div = el('div', null, s.differ ? 'segment differ' : 'segment');
    div.append(el('div', `${s.case} · ${s.segment}`, 'where'));
    div.append(el('blockquote', s.text));
    // Students grouped by the codes they gave, most common first.
    const groups = new Map();
    for (const [name, codes] of Object.entries(s.students)) {
      const key = codeList(codes);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(name);
    }
    const ul = el('ul');
    if (s.reference) ul.append(el('li', `${data.reference}: ${codeList(s.reference)}`));
    for (const [codes, names] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      ul.append(el('li', `${codes}: ${names.join(', ')}`));
    }
    div.append(ul);
    box.append(div);
  }
}

function render(data) {
  $('codebook').textContent = `${data.codebook} · unit: ${data.unit}` +
    (data.reference_error ? ` · the reference cannot be read: ${data.reference_error}` : '');
  renderStudents(data);
  renderAgreement(data);
  renderSegments(data);
}

async function poll() {
  try {
    const since = version ? `?since=${encodeURIComponent(version)}` : '';
    const response = await fetch(`/api/class${since}`, { headers: { 'X-QDA-Token': token } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    if (!data.unchanged) {
      version = data.version;
      last = data;
      render(data);
    }
    $('status').className = '';
    $('status').textContent = `up to date · ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    $('status').className = 'error';
    $('status').textContent = `cannot reach the server: ${e.message}`;
  }
  setTimeout(poll, POLL_MS);
}

$('only-differ').addEventListener('change', () => { if (last) renderSegments(last); });
poll();
