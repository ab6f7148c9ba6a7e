// secretsctl dashboard: reads the JSON API of `secretsctl serve` and draws
// it. Text from the API is only ever set as text (never as HTML), and no
// secret value exists in the API to read.
'use strict';

const TOKEN_KEY = 'secretsctl.token';
const CLASSES = ['infrastructure', 'service', 'user', 'unclassified'];
const view = document.getElementById('view');

// h builds an element; strings among the children become text nodes.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

// ---- the API, with bearer-token auth ----

class APIError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let asking = null;

// askToken shows the token dialog once, however many fetches wait on it.
function askToken(message) {
  if (asking) return asking;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  document.getElementById('token-message').textContent = message;
  asking = new Promise((resolve) => {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      input.value = '';
      dialog.close();
      asking = null;
      resolve();
    }, {once: true});
  });
  dialog.showModal();
  input.focus();
  return asking;
}

// api GETs a path of the JSON API and returns the decoded body. On 401 it
// asks for a token and tries again.
async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
  const url = path + (q.toString() ? '?' + q : '');
  for (;;) {
    const headers = {Accept: 'application/json'};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    const res = await fetch(url, {headers, credentials: 'omit', cache: 'no-cache', redirect: 'error'});
    if (res.status === 401) {
      const now = sessionStorage.getItem(TOKEN_KEY);
      if (now && now !== token) continue; // another fetch got a new token meanwhile
      sessionStorage.removeItem(TOKEN_KEY);
      await askToken(token ? 'That token was refused; try another.'
        : 'This server needs a bearer token. It is kept in this tab\'s session storage only.');
      continue;
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      throw new APIError(res.status, (body && body.error) || res.statusText, body && body.code);
    }
    return body;
  }
}

// ---- routing: #/path?query ----

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const i = hash.indexOf('?');
  const path = i < 0 ? hash : hash.slice(0, i);
  const params = new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
  return {parts: path.split('/').filter(Boolean).map(decodeURIComponent), params};
}

function link(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
  return '#' + path + (q.toString() ? '?' + q : '');
}

function planLink(scenario, tier, rev) {
  return link('/plan/' + encodeURIComponent(scenario) + '/' + encodeURIComponent(tier), {rev});
}

function currentRev() {
  return route().params.get('rev') || '';
}

// ---- revision picker ----

const revSelect = document.getElementById('rev');
const baseSelect = document.getElementById('base');

async function loadRevisions() {
  const refs = await api('/api/v1/revisions');
  const fill = (select, first) => {
    select.replaceChildren(first);
    const head = refs.head || {};
    select.append(h('option', {value: 'HEAD'}, 'HEAD ' + short(head.commit) + (refs.branch ? ' (' + refs.branch + ')' : '')));
    const groups = [['branches', refs.branches || []], ['tags', refs.tags || []]];
    for (const [label, list] of groups) {
      if (!list.length) continue;
      select.append(h('optgroup', {label}, list.map((r) => h('option', {value: r.name}, r.name + ' ' + short(r.commit)))));
    }
  };
  fill(revSelect, h('option', {value: ''}, 'HEAD (follows new commits)'));
  fill(baseSelect, h('option', {value: ''}, '—'));
  syncPickers();
}

function syncPickers() {
  const {parts, params} = route();
  setSelect(revSelect, parts[0] === 'compare' ? params.get('head') || '' : params.get('rev') || '');
  setSelect(baseSelect, parts[0] === 'compare' ? params.get('base') || '' : '');
}

// setSelect selects value, adding it when the list lacks it (a commit).
function setSelect(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.append(h('option', {value}, short(value)));
  }
  select.value = value;
}

revSelect.addEventListener('change', () => {
  const {parts, params} = route();
  if (parts[0] === 'compare') params.set('head', revSelect.value);
  else params.set('rev', revSelect.value);
  location.hash = link('/' + parts.map(encodeURIComponent).join('/'), Object.fromEntries(params));
});

baseSelect.addEventListener('change', () => {
  location.hash = link('/compare', {base: baseSelect.value, head: revSelect.value});
});

function short(rev) {
  return rev && /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 10) : (rev || '');
}

function showRevision(rev) {
  document.getElementById('rev-info').textContent = rev ? 'at ' + short(rev) : '';
}

// ---- matrix ----

// cellOf is the state and counts of one cell, for one classification or all.
function cellOf(row, cls) {
  if (!row) return {state: 'not-shipped'};
  if (!cls) {
    // the state is the server's (secretsctl coverage decides it once)
    return {state: row.state, strategized: row.strategized_secrets, total: row.total_secrets, blocking: (row.blocking || []).length};
  }
  const c = (row.by_classification || {})[cls];
  if (!c || !c.total_secrets) return {state: 'empty'};
  const state = c.blocking_secrets || c.strategized_secrets < c.total_secrets ? 'blocking' : 'ready';
  return {state, strategized: c.strategized_secrets, total: c.total_secrets, blocking: c.blocking_secrets};
}

const MARK = {'ready': '✓', 'blocking': '✗', 'no-secrets': '○', 'not-shipped': '–', 'empty': '·'};

function matrixCell(scenario, tier, cell, rev, cls) {
  const attrs = {'class': cell.state, 'data-scenario': scenario, 'data-tier': tier, 'data-state': cell.state};
  if (cell.state === 'not-shipped') {
    return h('td', attrs, h('span', {title: scenario + ' does not ship to ' + tier}, MARK[cell.state]));
  }
  if (cell.state === 'no-secrets') {
    return h('td', attrs, h('a', {href: planLink(scenario, tier, rev), title: scenario + ' on ' + tier + ': no secrets', 'class': 'count'},
      MARK[cell.state] + ' no secrets'));
  }
  if (cell.state === 'empty') {
    return h('td', attrs, h('span', {title: 'no ' + cls + ' secrets'}, MARK[cell.state]));
  }
  const title = scenario + ' on ' + tier + ': ' + cell.strategized + ' of ' + cell.total + ' strategized' +
    (cell.blocking ? ', ' + cell.blocking + ' blocking' : '');
  return h('td', attrs, h('a', {href: planLink(scenario, tier, rev), title, 'class': 'count'},
    MARK[cell.state] + ' ' + cell.strategized + '/' + cell.total));
}

async function showMatrix(params) {
  const rev = params.get('rev') || '';
  const [tiers, scenarios, coverage] = await Promise.all([
    api('/api/v1/tiers', {rev}), api('/api/v1/scenarios', {rev}), api('/api/v1/coverage', {rev})]);
  showRevision(coverage.revision);
  const rows = new Map();
  for (const r of coverage.rows) rows.set(r.scenario + '\u0000' + r.tier, r);

  const nameInput = h('input', {type: 'search', id: 'filter-name', placeholder: 'filter scenarios', 'aria-label': 'filter scenarios by name', value: params.get('q') || ''});
  const classSelect = h('select', {id: 'filter-class', 'aria-label': 'classification'},
    h('option', {value: ''}, 'every classification'), CLASSES.map((c) => h('option', {value: c}, c)));
  classSelect.value = params.get('class') || '';
  const counts = h('div', {'class': 'counts', id: 'counts'});
  const tbody = h('tbody');
  const table = h('table', {'class': 'matrix', id: 'matrix'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'scenario'),
      tiers.tiers.map((t) => h('th', {scope: 'col', title: (t.name || '') + (t.ships_to_end_users ? ' (ships to end users)' : '')}, t.id)))),
    tbody);

  const draw = () => {
    const q = nameInput.value.trim().toLowerCase();
    const cls = classSelect.value;
    legend.querySelector('#legend-empty').hidden = !cls;
    const tally = {'ready': 0, 'blocking': 0, 'no-secrets': 0, 'not-shipped': 0, 'empty': 0};
    let shown = 0;
    const frag = document.createDocumentFragment();
    for (const s of scenarios.scenarios) {
      if (q && !s.name.toLowerCase().includes(q)) continue;
      shown++;
      const tr = h('tr', {'data-scenario': s.name}, h('th', {scope: 'row'}, s.name));
      for (const t of tiers.tiers) {
        const cell = cellOf(rows.get(s.name + '\u0000' + t.id), cls);
        tally[cell.state]++;
        tr.append(matrixCell(s.name, t.id, cell, rev, cls));
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    counts.replaceChildren(...[
      h('span', {}, shown + ' of ' + scenarios.scenarios.length + ' scenarios:'),
      h('span', {id: 'count-ready'}, tally['ready'] + ' ready'),
      h('span', {id: 'count-blocking'}, tally['blocking'] + ' blocking'),
      cls ? null : h('span', {id: 'count-no-secrets'}, tally['no-secrets'] + ' without secrets'),
      h('span', {id: 'count-not-shipped'}, tally['not-shipped'] + ' not shipped'),
      cls ? h('span', {id: 'count-empty'}, tally['empty'] + ' without ' + cls + ' secrets') : null,
      h('span', {'class': 'muted', id: 'count-share'}, coverage.percent === null ? 'no secrets to strategize' :
        coverage.strategized_secrets + ' of ' + coverage.total_secrets +
        ' secrets strategized (' + coverage.percent.toFixed(1) + '%)')].filter(Boolean));
  };
  const remember = () => {
    const p = {rev, q: nameInput.value.trim(), class: classSelect.value};
    history.replaceState(null, '', link('/', p));
  };
  nameInput.addEventListener('input', () => { draw(); remember(); });
  classSelect.addEventListener('change', () => { draw(); remember(); });

  const legend = h('ul', {'class': 'legend', id: 'legend'},
    h('li', {}, h('span', {'class': 'sw ready'}, MARK['ready']), 'every secret strategized'),
    h('li', {}, h('span', {'class': 'sw blocking'}, MARK['blocking']), 'some secrets blocking'),
    h('li', {}, h('span', {'class': 'sw no-secrets'}, MARK['no-secrets']), 'shipped without secrets'),
    h('li', {}, h('span', {'class': 'sw not-shipped'}, MARK['not-shipped']), 'tier not shipped'),
    h('li', {id: 'legend-empty'}, h('span', {'class': 'sw empty'}, MARK['empty']), 'no secret of the chosen classification'));
  view.replaceChildren(h('h2', {}, 'Strategy coverage'),
    h('div', {'class': 'toolbar'}, nameInput, classSelect, legend), counts, table);
  draw();
  // milliseconds from the navigation to the drawn matrix, for the benchmark
  view.dataset.ms = String(Math.round(performance.now()));
  view.dataset.loaded = 'matrix';
}

// ---- one plan ----

function targetText(t) {
  if (t.type === 'env') return 'env ' + t.name;
  let s = t.type + ' ' + (t.path || '');
  if (t.key) s += ' → ' + t.key;
  return s;
}

// bundleAction says what a bundle does with a secret, from the plan's
// bundle_secrets (the bundler's contract) and the secret's strategy.
function bundleAction(ms, bs, blockingReason) {
  if (blockingReason) return 'blocks the bundle: ' + blockingReason;
  if (bs) {
    const where = bs.target.type + ' ' + bs.target.name;
    switch (bs.class) {
      case 'user_prompt':
        return 'asks the user' + (bs.prompt && bs.prompt.label ? ' “' + bs.prompt.label + '”' : '') + ', writes ' + where;
      case 'per_install_generated':
        return (bs.generate_at === 'bundle' ? 'generated when the bundle is made' : 'generated by the app on first start') +
          (bs.generator ? ' (' + bs.generator.type + ')' : '') + ', writes ' + where;
      case 'remote_fetch':
        return 'fetched at run time from ' + (bs.delegate ? bs.delegate.provider : 'the provider') + ', writes ' + where;
    }
  }
  if (ms.classification === 'infrastructure') return 'never in a bundle (infrastructure)';
  if (ms.handling_strategy === 'strip') return 'left out of the bundle';
  return 'not in the bundle';
}

// verdict says what a plan's blocking secrets mean, by the rule the CLI and
// the API follow: any blocking secret makes `secretsctl plan` exit 10 and
// readiness not ready; a required one also makes the deployment route
// answer 409 (blocked: no bundle can be assembled without it).
function verdict(m, reasons) {
  const required = m.secrets.filter((s) => s.required && reasons.has(s.id)).map((s) => s.id);
  const optional = m.secrets.filter((s) => !s.required && reasons.has(s.id)).map((s) => s.id);
  if (required.length) {
    return {state: 'blocked', text: 'Blocked: no bundle can be assembled, required ' + required.join(', ') +
      (required.length > 1 ? ' block' : ' blocks') + ' the plan (deployment-manager gets 409 plan_blocked; secretsctl plan exits 10).'};
  }
  if (optional.length) {
    return {state: 'blocking', text: 'Not ready: optional ' + optional.join(', ') + (optional.length > 1 ? ' block' : ' blocks') +
      ' the plan and ' + (optional.length > 1 ? 'stay' : 'stays') + ' out of the bundle (secretsctl plan exits 10).'};
  }
  return {state: 'ready', text: 'Ready: every secret has a strategy for this tier.'};
}

async function showPlan(scenario, tier, params) {
  const rev = params.get('rev') || '';
  const m = await api('/api/v1/plans/' + encodeURIComponent(scenario) + '/' + encodeURIComponent(tier), {rev});
  showRevision(m.revision);
  const reasons = new Map();
  for (const d of m.summary.blocking_secret_details || []) {
    const id = d.resource + '/' + d.secret;
    reasons.set(id, (reasons.has(id) ? reasons.get(id) + '; ' : '') + d.code + ': ' + d.reason);
  }
  const bundle = new Map((m.bundle_secrets || []).map((b) => [b.id, b]));
  const secrets = [...m.secrets].sort((a, b) =>
    (reasons.has(b.id) - reasons.has(a.id)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const tbody = h('tbody', {}, secrets.map((s) => {
    const reason = reasons.get(s.id);
    return h('tr', {'class': reason ? 'blocking' : '', 'data-secret': s.id, 'data-blocking': reason ? 'true' : 'false'},
      h('td', {'class': 'mono'}, (reason ? '✗ ' : '') + s.id),
      h('td', {}, s.classification),
      h('td', {}, s.handling_strategy + (s.generate_at ? ' (' + s.generate_at + ')' : '')),
      h('td', {}, s.strategy_source),
      h('td', {'class': 'mono'}, (s.targets || []).map(targetText).join(', ')),
      h('td', {}, bundleAction(s, bundle.get(s.id), reason)),
      h('td', {'class': 'muted'}, (s.required ? 'required' : 'optional') + (s.reason ? ' — ' + s.reason : '')));
  }));
  const sum = m.summary;
  const v = verdict(m, reasons);
  view.replaceChildren(
    h('p', {}, h('a', {href: link('/', {rev})}, '← matrix')),
    h('h2', {id: 'plan-title'}, m.scenario + ' on ' + m.tier_id),
    h('p', {id: 'plan-summary'}, sum.total_secrets + ' secrets, ' + sum.strategized_secrets + ' strategized, ' +
      sum.requires_action + ' blocking; ' + (m.bundle_secrets || []).length + ' in the bundle. Integrity: ' + m.integrity + '.'),
    h('p', {id: 'plan-verdict', 'class': 'verdict ' + v.state, 'data-verdict': v.state}, v.text),
    h('table', {'class': 'plan', id: 'plan'},
      h('thead', {}, h('tr', {}, ['secret', 'classification', 'strategy', 'strategy from', 'target', 'what a bundle does', 'notes']
        .map((c) => h('th', {scope: 'col'}, c)))),
      tbody));
  view.dataset.loaded = 'plan';
}

// ---- plan diff between two revisions ----

async function showCompare(params) {
  const base = params.get('base') || '';
  const head = params.get('head') || '';
  if (!base) {
    view.replaceChildren(h('h2', {}, 'Compare revisions'),
      h('p', {}, 'Pick a revision in “Compare with” to see what each plan does differently from the revision picked in “Revision”.'));
    view.dataset.loaded = 'compare';
    return;
  }
  const d = await api('/api/v1/plan-diff', {base, head});
  showRevision(d.head);
  const plans = d.plans || [];
  const sections = plans.map((p) => h('section', {'class': 'plan-diff', 'data-scenario': p.scenario, 'data-tier': p.tier},
    h('h3', {}, h('a', {href: planLink(p.scenario, p.tier, head)}, p.scenario + ' on ' + p.tier), ' — ' + p.status),
    h('table', {}, h('thead', {}, h('tr', {}, ['secret', 'change', 'field', 'before', 'after'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, (p.secrets || []).flatMap((s) => {
        const fields = Object.entries(s.fields || {});
        if (!fields.length) return [h('tr', {'data-secret': s.id}, h('td', {'class': 'mono'}, s.id), h('td', {}, s.change), h('td', {}), h('td', {}), h('td', {}))];
        return fields.map(([f, c]) => h('tr', {'data-secret': s.id, 'data-field': f},
          h('td', {'class': 'mono'}, s.id), h('td', {}, s.change), h('td', {}, f),
          h('td', {'class': 'before mono'}, c.before), h('td', {'class': 'after mono'}, c.after)));
      })))));
  view.replaceChildren(
    h('h2', {id: 'diff-title'}, 'Plans at ' + (head || 'HEAD') + ' (' + short(d.head) + ') compared with ' +
      base + ' (' + short(d.base) + ')'),
    plans.length ? h('p', {}, plans.length + ' plans differ.') : h('p', {id: 'no-diff'}, 'No plan differs.'),
    ...sections);
  view.dataset.loaded = 'compare';
}

// ---- deployments from the issuance ledger (never values) ----

function when(t) {
  return t ? t.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '';
}

async function showDeployments(params) {
  const rev = params.get('rev') || '';
  const d = await api('/api/v1/deployments', {rev});
  showRevision(d.revision);
  const deps = d.deployments || [];
  if (!deps.length) {
    view.replaceChildren(h('h2', {}, 'Deployments'),
      h('p', {id: 'no-deployments'}, 'The ledger has no deployment at this revision. `secretsctl issue` records one.'));
    view.dataset.loaded = 'deployments';
    return;
  }
  view.replaceChildren(
    h('h2', {}, 'Deployments'),
    h('p', {}, deps.length + ' deployments in the ledger: issued, rotated and revoked values by status; values and fingerprints are never shown.'),
    h('table', {'class': 'plan', id: 'deployments'},
      h('thead', {}, h('tr', {}, ['scenario', 'deployment', 'tier', 'issued', 'last event', 'events', 'active', 'previous', 'revoked']
        .map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, deps.map((x) => h('tr', {'data-deployment': x.scenario + '/' + x.deployment, 'class': x.revoked && !x.active ? 'blocking' : ''},
        h('td', {}, x.scenario), h('td', {'class': 'mono'}, x.deployment), h('td', {}, x.tier),
        h('td', {}, when(x.created)), h('td', {}, when(x.updated)), h('td', {}, String(x.events)),
        h('td', {}, String(x.active)), h('td', {}, String(x.previous)), h('td', {}, String(x.revoked)))))));
  view.dataset.loaded = 'deployments';
}

// ---- main ----

async function render() {
  const {parts, params} = route();
  syncPickers();
  view.dataset.loaded = '';
  try {
    if (parts[0] === 'plan' && parts.length === 3) await showPlan(parts[1], parts[2], params);
    else if (parts[0] === 'compare') await showCompare(params);
    else if (parts[0] === 'deployments') await showDeployments(params);
    else await showMatrix(params);
  } catch (err) {
    view.replaceChildren(h('p', {'class': 'error', id: 'error'}, err.message || String(err)));
    view.dataset.loaded = 'error';
  }
}

window.addEventListener('hashchange', render);
loadRevisions().catch((err) => {
  document.getElementById('rev-info').textContent = 'revisions: ' + (err.message || err);
});
render();
