// The local dashboard's page. Job data, error messages and payloads are untrusted: they reach the page only
// through textContent and attribute values, never as HTML.
'use strict';

const TOKEN = document.querySelector('meta[name="jobs-token"]').content;
const $ = (selector) => document.querySelector(selector);

/** An element with text children; strings become text nodes, never markup. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The answer's JSON, and its headers for those answers that carry more (the runs' next-page cursor). */
async function call(method, path, body) {
  const headers = method === 'GET' ? {} : { 'x-jobs-token': TOKEN };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
  return { data, headers: response.headers };
}
const api = async (method, path, body) => (await call(method, path, body)).data;

const badge = (text) => el('span', { className: `badge ${text}` }, text);

function fillSelect(select, names) {
  for (const name of names) select.append(el('option', { value: name }, name));
}

function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

// ---- Jobs and schedules ----------------------------------------------------------------------------
let jobs = [];

async function scheduleAction(row, action) {
  const message = $('#jobs-message');
  try {
    const result = await api(
      'POST',
      `/api/schedules/${encodeURIComponent(row.job)}/${encodeURIComponent(row.schedule)}/${action}`,
    );
    message.className = 'message ok';
    message.textContent =
      action === 'trigger'
        ? `${row.job}/${row.schedule} triggered for ${formatTime(result.occurrence)}`
        : `${row.job}/${row.schedule}: ${result.state === 'ENABLED' ? 'resumed' : 'paused'}`;
  } catch (error) {
    message.className = 'message error';
    message.textContent = error.message;
  }
  await refreshSchedules();
}

const DST_BADGES = { 'gap-skipped': 'DST skipped', 'gap-shifted': 'DST shifted', 'repeated-once': 'DST once' };

/** One occurrence in the schedule's zone; one a DST change touches carries a badge whose title says how. */
function occurrence(o, timeZone) {
  if (!o.dst) return el('div', {}, formatTime(o.at, timeZone));
  return el(
    'div',
    { className: `dst ${o.dst}`, title: o.note ?? '' },
    formatTime(o.at, timeZone),
    ' ',
    el('span', { className: 'badge dst' }, DST_BADGES[o.dst] ?? 'DST'),
  );
}

function jobRows(schedules) {
  return jobs.flatMap((job) => {
    const own = schedules.filter((s) => s.job === job.name);
    const name = el('td', {}, el('strong', {}, job.name), el('div', { className: 'muted small' }, job.description));
    if (own.length === 0) {
      const onDemand = el('td', { className: 'muted' }, 'on demand');
      return [el('tr', { dataset: { job: job.name } }, name, onDemand, el('td'), el('td'), el('td'))];
    }
    return own.map((row) => {
      const paused = row.state !== 'ENABLED';
      const button = (action, label, className = '') =>
        el(
          'button',
          { type: 'button', className, dataset: { action, job: row.job }, onclick: () => scheduleAction(row, action) },
          label,
        );
      const zone = el('div', { className: 'muted small' }, row.timeZone);
      const toggle = paused ? button('resume', 'Resume', 'secondary') : button('pause', 'Pause', 'secondary');
      const next = paused
        ? el('span', { className: 'paused-note' }, 'Paused: no occurrences until resumed')
        : el('div', { className: 'next' }, ...row.occurrences.map((o) => occurrence(o, row.timeZone)));
      return el(
        'tr',
        { className: paused ? 'paused' : '', dataset: { job: row.job, schedule: row.schedule, state: row.state } },
        name,
        el('td', {}, `${row.schedule}: `, el('code', {}, row.expression), zone),
        el('td', { className: 'state' }, badge(paused ? 'Paused' : 'Active')),
        el('td', { className: 'next-cell' }, next),
        el('td', { className: 'actions' }, button('trigger', 'Trigger'), toggle),
      );
    });
  });
}

async function refreshSchedules() {
  const [schedules, clock] = await Promise.all([api('GET', '/api/schedules'), api('GET', '/api/clock')]);
  replaceRows($('#jobs tbody'), jobRows(schedules));
  $('#clock').textContent = formatTime(clock.now);
  $('#clock-speed').textContent = clock.speed === 1 ? '' : `×${clock.speed}`;
}

// ---- Queues and health -----------------------------------------------------------------------------
async function refreshQueues() {
  const counts = await api('GET', '/api/queues');
  replaceRows(
    $('#queues tbody'),
    counts.map((q) => {
      const dlq = q.dlqVisible + q.dlqInFlight;
      return el(
        'tr',
        { dataset: { job: q.job } },
        el('td', {}, q.job),
        el('td', { className: 'num visible' }, q.visible),
        el('td', { className: 'num inflight' }, q.inFlight),
        el('td', { className: 'num delayed' }, q.delayed),
        el('td', { className: `num dlq${dlq > 0 ? ' nonzero' : ''}` }, dlq),
      );
    }),
  );
}

async function refreshHealth() {
  const report = await api('GET', '/health');
  for (const target of [$('#health-badge'), $('#health-state')]) {
    target.className = `badge ${report.state}`;
    target.textContent = report.state;
  }
  replaceRows(
    $('#health tbody'),
    report.jobs.map((j) =>
      el(
        'tr',
        { dataset: { job: j.job } },
        el('td', {}, j.job),
        el('td', {}, badge(j.state)),
        el('td', { className: 'last-success' }, formatTime(j.lastSuccess)),
        el('td', { className: 'num' }, j.failuresInWindow),
        el('td', { className: 'num' }, j.dlqDepth),
      ),
    ),
  );
  $('#health-reasons').replaceChildren(
    ...report.jobs.flatMap((j) => j.reasons.map((reason) => el('li', {}, `${j.job}: ${withTimes(reason)}`))),
  );
}

// ---- Runs ------------------------------------------------------------------------------------------
const RUNS_PER_PAGE = 20;
/** The cursor of each page shown so far, the first page's undefined; Previous goes back one. */
let runPages = [undefined];
let nextRunsPage;
/** Only the latest read is shown: a refresh that was under way when Next was clicked is dropped. */
let runsRead = 0;

function turnRunsPage(step) {
  if (step > 0 && nextRunsPage) {
    runPages.push(nextRunsPage);
    // Until the page arrives there is no next one: a second click must not push the same cursor again.
    nextRunsPage = undefined;
  } else if (step < 0 && runPages.length > 1) runPages.pop();
  else if (step === 0) runPages = [undefined];
  return refreshRuns();
}

function runRow(run) {
  const failed = run.status === 'FAILED' || run.status === 'DEAD';
  // A durable run waiting for its callback says so, as `jobs-cli runs` does.
  const waitingFor = run.status === 'RUNNING' ? run.waitingFor : undefined;
  const waiting = run.status === 'SKIPPED' || run.status === 'PENDING' || run.status === 'CANCELLED' || waitingFor;
  const note = failed ? (run.lastError ?? '') : withTimes(waitingFor ?? (waiting ? (run.reason ?? '') : ''));
  return el(
    'tr',
    { dataset: { job: run.job, status: run.status, id: run.id, created: run.createdAt } },
    el('td', { className: 'created' }, formatTime(run.createdAt)),
    el('td', {}, run.job),
    el('td', { className: 'id' }, run.id),
    el('td', {}, badge(run.status)),
    el('td', { className: 'num attempt' }, run.attempt),
    el('td', { className: 'num' }, duration(run.durationMs)),
    el('td', { className: 'progress' }, progressText(run.progress)),
    el('td', { className: waiting ? 'reason' : 'error' }, note),
    el('td', {}, CANCELLABLE.has(run.status) ? el('button', cancelProps(run), 'Cancel') : null),
  );
}

/** A run not yet finished can be cancelled, as with `jobs-cli cancel`: queued, it never starts; running, it stops. */
const CANCELLABLE = new Set(['RUNNING', 'PENDING', 'FAILED']);
const cancelProps = (run) => ({
  type: 'button',
  className: 'secondary',
  onclick: async () => {
    await api('POST', '/api/runs/cancel', { job: run.job, id: run.id }).catch((error) => alert(error.message));
    await refreshRuns();
  },
});

async function refreshRuns() {
  const read = ++runsRead;
  const cursor = runPages.at(-1);
  const query = new URLSearchParams({ job: $('#runs-job').value, status: $('#runs-status').value });
  query.set('limit', String(RUNS_PER_PAGE));
  if (cursor) query.set('cursor', cursor);
  const { data: runs, headers } = await call('GET', `/api/runs?${query}`);
  if (read !== runsRead) return;
  // A later page that emptied (its runs expired from the ledger) gives way to the first.
  if (runs.length === 0 && runPages.length > 1) return turnRunsPage(0);
  nextRunsPage = headers.get('x-next-cursor') ?? undefined;
  replaceRows($('#runs tbody'), runs.map(runRow));
  // Until the first answer the page says it is loading, not that there is nothing: a slow read looked like none.
  const filtered = $('#runs-job').value !== '' || $('#runs-status').value !== '';
  $('#runs-empty').textContent = filtered ? 'No runs match these filters.' : 'No runs yet.';
  $('#runs-empty').hidden = runs.length > 0;
  $('#runs-page').textContent = `Page ${runPages.length}`;
  $('#runs-prev').disabled = runPages.length === 1;
  $('#runs-next').disabled = !nextRunsPage;
}

// ---- Metrics ---------------------------------------------------------------------------------------
const charts = {};

/** Milliseconds as axis labels (850 ms, 1.5 s, 12 s), with as many decimals as the tick step needs. */
function msLabels(splits, step) {
  const max = Math.max(0, ...splits.filter((v) => v != null));
  if (max < 1000) return splits.map((v) => (v == null ? '' : `${Math.round(v)} ms`));
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : 2;
  return splits.map((v) => (v == null ? '' : `${(v / 1000).toFixed(decimals)} s`));
}
/** Minutes on the 24-hour clock in UTC, as the tables show times; the caption names the zone. */
const minuteLabel = (s) =>
  new Date(s * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/**
 * Percentile series have gaps (minutes without runs), so their points are drawn; count series are continuous.
 * `inMs` labels the y axis as durations, on an axis wide enough for them.
 */
function makeChart(id, labels, colors, points, inMs) {
  const target = document.getElementById(id);
  const series = [
    {},
    ...labels.map((label, i) => ({
      label,
      stroke: colors[i],
      width: 2,
      spanGaps: true,
      points: { show: points, size: 5 },
    })),
  ];
  const axes = [
    { values: (_u, splits) => splits.map(minuteLabel) },
    inMs ? { size: 64, values: (_u, splits, _axis, _space, step) => msLabels(splits, step) } : {},
  ];
  const options = {
    width: Math.max(240, target.clientWidth),
    height: 180,
    series,
    axes,
    scales: { x: { time: true } },
    // Ticks fall on UTC minutes, as the labels are in UTC.
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    legend: { live: false },
  };
  return new window.uPlot(options, [[], ...labels.map(() => [])], target);
}

async function refreshMetrics() {
  if (typeof window.uPlot !== 'function') return;
  const data = await api('GET', '/api/metrics?minutes=60');
  const job = $('#metrics-job').value;
  const byMinute = new Map(data.series.filter((m) => m.job === job).map((m) => [m.minute, m]));
  const minutes = Array.from({ length: data.minutes }, (_, i) => data.since + i * 60_000);
  const column = (name, zero) => minutes.map((m) => byMinute.get(m)?.[name] ?? (zero ? 0 : null));
  charts.runs ??= makeChart('chart-runs', ['succeeded', 'failed'], ['#1a7f4b', '#b42318'], false, false);
  charts.duration ??= makeChart('chart-duration', ['p50', 'p95'], ['#2f5bd3', '#a15c00'], true, true);
  charts.lag ??= makeChart('chart-lag', ['p50', 'p95'], ['#2f5bd3', '#a15c00'], true, true);
  const x = minutes.map((m) => m / 1000);
  charts.runs.setData([x, column('succeeded', true), column('failed', true)]);
  charts.duration.setData([x, column('durationP50'), column('durationP95')]);
  charts.lag.setData([x, column('lagP50'), column('lagP95')]);
}

// ---- Send and redrive ------------------------------------------------------------------------------
async function send(event) {
  event.preventDefault();
  const error = $('#send-error');
  const result = $('#send-result');
  error.textContent = '';
  result.textContent = '';
  let payload;
  try {
    payload = JSON.parse($('#send-payload').value);
  } catch (parseError) {
    error.textContent = `The payload is not JSON: ${parseError.message}`;
    return;
  }
  const id = $('#send-id').value.trim();
  try {
    const sent = await api('POST', '/api/send', { job: $('#send-job').value, payload, ...(id ? { id } : {}) });
    result.textContent = `Sent ${sent.ids.join(', ')} to ${sent.job}`;
  } catch (sendError) {
    error.textContent = sendError.message;
  }
}

async function redrive(dryRun) {
  const result = $('#redrive-result');
  const list = $('#redrive-messages');
  const job = $('#redrive-job').value;
  for (const button of [$('#redrive-dry'), $('#redrive-run')]) button.disabled = true;
  // A redrive reads the DLQ until a receive comes back empty, which waits a second or more: say so meanwhile.
  result.className = 'message';
  result.textContent = `${job}: ${dryRun ? 'reading' : 'moving'} the DLQ…`;
  try {
    const outcome = await api('POST', '/api/redrive', { job, dryRun });
    const verb = dryRun ? 'would move' : 'moved';
    result.className = 'message ok';
    result.textContent =
      `${job}: ${verb} ${outcome.moved.length} message(s) back to the ` +
      `queue${outcome.skipped ? `, ${outcome.skipped} skipped` : ''}${dryRun ? ' (dry run: nothing moved)' : ''}`;
    list.replaceChildren(
      ...outcome.moved.map((m) => el('li', {}, `${m.jobId} — ${m.reason} (attempts ${m.attempts})`)),
    );
  } catch (error) {
    result.className = 'message error';
    result.textContent = error.message;
  } finally {
    for (const button of [$('#redrive-dry'), $('#redrive-run')]) button.disabled = false;
  }
  await refreshQueues();
}

// ---- Refresh loops ---------------------------------------------------------------------------------
function every(ms, refresh) {
  const loop = async () => {
    try {
      await refresh();
    } catch (error) {
      console.warn(error);
    }
    setTimeout(loop, ms);
  };
  loop();
}

async function main() {
  const [declared, statuses] = await Promise.all([api('GET', '/api/jobs'), api('GET', '/api/run-statuses')]);
  jobs = declared;
  const names = jobs.map((job) => job.name);
  for (const id of ['#runs-job', '#metrics-job', '#send-job', '#redrive-job']) fillSelect($(id), names);
  fillSelect($('#runs-status'), statuses);
  $('#send-form').addEventListener('submit', send);
  $('#redrive-dry').addEventListener('click', () => redrive(true));
  $('#redrive-run').addEventListener('click', () => redrive(false));
  $('#runs-job').addEventListener('change', () => turnRunsPage(0));
  $('#runs-status').addEventListener('change', () => turnRunsPage(0));
  $('#runs-prev').addEventListener('click', () => turnRunsPage(-1));
  $('#runs-next').addEventListener('click', () => turnRunsPage(1));
  $('#metrics-job').addEventListener('change', refreshMetrics);
  every(2000, refreshSchedules);
  every(2000, refreshQueues);
  every(2000, refreshRuns);
  every(3000, refreshHealth);
  every(5000, refreshMetrics);
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  document.body.prepend(el('p', { className: 'message error' }, `The dashboard could not load: ${error.message}`));
});
