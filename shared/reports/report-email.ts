import { escapeHtml } from '#shared/reports/escape-html';
import type { StoredReport } from '#shared/reports/report-store';

export interface ReportEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const TITLES: Readonly<Record<string, string>> = { daily: 'Daily report', monthly: 'Monthly report' };

/** Amounts stay in minor units per currency: the report does not know each currency's decimals. */
const money = (cents: number, currency: string): string => `${(cents / 100).toFixed(2)} ${currency}`;

function rows(report: StoredReport): [string, string][] {
  const { orders, emails, runs } = report.figures;
  const revenue = Object.entries(orders.revenueCents).sort(([a], [b]) => a.localeCompare(b));
  const unreadable: [string, string][] =
    orders.unreadable > 0
      ? [['Orders with an unreadable time', `${orders.unreadable}, in no figure (see the log)`]]
      : [];
  return [
    ['Orders processed', String(orders.processed)],
    ...revenue.map(([currency, cents]): [string, string] => [`Revenue ${currency}`, money(cents, currency)]),
    ...unreadable,
    ['E-mails sent', String(emails.sent)],
    ['E-mails failed', String(emails.failed)],
    ...Object.entries(runs).map(([job, statuses]): [string, string] => [
      `Runs of ${job}`,
      Object.entries(statuses)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ') || 'none',
    ]),
  ];
}

/**
 * The report as an e-mail; the HTML escapes every value, since job names and currencies come from data. It names
 * the stored version it shows; a version after the first is a correction, and its subject says so.
 */
export function renderReportEmail(report: StoredReport): ReportEmail {
  const correction = report.version > 1;
  const title = `${correction ? 'Correction: ' : ''}${TITLES[report.kind] ?? 'Report'} ${report.label}`;
  // No CR or LF can reach the subject: the label and zone are validated, and newlines are flattened anyway.
  const subject = `${title} (${report.timeZone})`.replace(/[\r\n]+/g, ' ');
  const period = `${report.periodStart} to ${report.periodEnd} (exclusive)`;
  const stored = `${report.reportId}, version ${report.version} of ${report.createdAt}`;
  const notice = correction
    ? [`These figures replace those of version ${report.version - 1} and any e-mail sent for it.`]
    : [];
  const lines = rows(report);
  const text = [
    title,
    ...notice,
    `Period: ${period}, ${report.timeZone}`,
    `Stored as: ${stored}`,
    '',
    ...lines.map(([name, value]) => `${name}: ${value}`),
  ].join('\n');
  const tableRows = lines.map(
    ([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  const html = [
    `<h1>${escapeHtml(title)}</h1>`,
    ...notice.map((line) => `<p><strong>${escapeHtml(line)}</strong></p>`),
    `<p>Period: ${escapeHtml(period)}, ${escapeHtml(report.timeZone)}</p>`,
    `<p>Stored as: ${escapeHtml(stored)}</p>`,
    `<table>${tableRows.join('')}</table>`,
  ].join('\n');
  return { subject, text, html };
}
