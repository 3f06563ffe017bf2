// The dashboard's formats, loaded before dashboard.js: times, durations and progress as the page shows them.
'use strict';

const dateTimeFormats = new Map();
/**
 * The page's one date-time format, 24-hour and naming its zone: `2026-12-05 03:00:00 UTC`. UTC, as the ledger,
 * the CLI and the functions' logs give times, and the same for every reader; a schedule's occurrences are in its
 * own zone, named by its offset (`UTC+1`), which unlike an abbreviation reads the same in every locale.
 */
function formatTime(iso, timeZone = 'UTC') {
  if (!iso) return '—';
  if (!dateTimeFormats.has(timeZone)) {
    const numeric = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' };
    const options = { ...numeric, second: '2-digit', hourCycle: 'h23', timeZone, timeZoneName: 'shortOffset' };
    dateTimeFormats.set(timeZone, new Intl.DateTimeFormat('en-US', options));
  }
  const parts = dateTimeFormats.get(timeZone).formatToParts(new Date(iso));
  const p = Object.fromEntries(parts.map((part) => [part.type, part.value]));
  // ICU names a zero offset GMT, GMT+0 or GMT+00:00 depending on its version.
  const offset = p.timeZoneName.replace(/^GMT/, '');
  const zone = /^([+-]0+(:00)?)?$/.test(offset) ? 'UTC' : `UTC${offset}`;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone}`;
}
/** Server-written sentences (health reasons) quote ISO times: shown in the same format. */
const withTimes = (text) =>
  text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => formatTime(iso));
const duration = (ms) => (ms == null ? '' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** `40/100 audit log`: what the job last reported with ctx.progress, as `jobs runs` shows it. */
const progressText = (p) => (p ? [`${p.done}/${p.total}`, p.note].filter(Boolean).join(' ') : '');

// Read by dashboard.js, the script after this one.
Object.assign(globalThis, { formatTime, withTimes, duration, progressText });
