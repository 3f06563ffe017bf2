import { describe, expect, it } from 'vitest';
import { sendEmailJob } from '#shared/jobs/send-email';
import { escapeHtml } from '#shared/reports/escape-html';
import { renderReportEmail } from '#shared/reports/report-email';
import type { StoredReport } from '#shared/reports/report-store';

const report = (overrides: Partial<StoredReport> = {}): StoredReport => ({
  reportId: 'daily/2026-03-29/Europe/Berlin',
  kind: 'daily',
  label: '2026-03-29',
  timeZone: 'Europe/Berlin',
  periodStart: '2026-03-28T23:00:00.000Z',
  periodEnd: '2026-03-29T22:00:00.000Z',
  figures: {
    orders: { processed: 3, revenueCents: { USD: 700, EUR: 1250 }, unreadable: 0 },
    emails: { sent: 2, failed: 1 },
    runs: { cleanup: { SUCCEEDED: 1 }, 'send-email': {} },
  },
  version: 1,
  createdAt: '2026-03-30T04:00:00.000Z',
  ...overrides,
});

describe('Function: escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["' onmouseover='steal()", '&#39; onmouseover=&#39;steal()'],
    ['&lt; already escaped', '&amp;lt; already escaped'],
    ['plain text 42', 'plain text 42'],
  ])('escapes %j so it cannot break out of an element or attribute', (hostile, escaped) => {
    // Act
    const result = escapeHtml(hostile);

    // Assess
    expect(result).toBe(escaped);
  });

  it('renders a non-string value as its text when given a number', () => {
    // Act
    const result = escapeHtml(1250);

    // Assess
    expect(result).toBe('1250');
  });
});

describe('Function: renderReportEmail', () => {
  it('lists every figure in the text and the HTML when given a report', () => {
    // Act
    const email = renderReportEmail(report());

    // Assess
    expect(email.subject).toBe('Daily report 2026-03-29 (Europe/Berlin)');
    expect(email.text).toContain('Orders processed: 3');
    expect(email.text).toContain('Revenue EUR: 12.50 EUR');
    expect(email.text).toContain('E-mails failed: 1');
    expect(email.text).toContain('Runs of cleanup: SUCCEEDED 1');
    expect(email.text).toContain('Runs of send-email: none');
    expect(email.html).toContain('<tr><th align="left">Revenue USD</th><td>7.00 USD</td></tr>');
  });

  it('escapes data in the HTML when job names, statuses or currencies are hostile', () => {
    // Prepare
    const hostile = report({
      figures: {
        orders: { processed: 1, revenueCents: { '<b>X</b>': 100 }, unreadable: 0 },
        emails: { sent: 0, failed: 0 },
        runs: { '<script>alert("job")</script>': { '"><img src=x onerror=alert(1)>': 1 } },
      },
    });

    // Act
    const { html } = renderReportEmail(hostile);

    // Assess
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('Runs of &lt;script&gt;alert(&quot;job&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;X&lt;/b&gt;');
  });

  it('names the stored report and its version, without a correction notice, when it is the first version', () => {
    // Act
    const email = renderReportEmail(report());

    // Assess
    expect(email.text).toContain('Stored as: daily/2026-03-29/Europe/Berlin, version 1 of 2026-03-30T04:00:00.000Z');
    expect(email.text).not.toContain('replace');
    expect(email.text).not.toContain('unreadable');
  });

  it('says "Correction" in the subject and the body when the report is a later version', () => {
    // Act
    const email = renderReportEmail(report({ version: 3 }));

    // Assess
    expect(email.subject).toBe('Correction: Daily report 2026-03-29 (Europe/Berlin)');
    expect(email.text).toContain('These figures replace those of version 2 and any e-mail sent for it.');
    expect(email.html).toContain('<h1>Correction: Daily report 2026-03-29</h1>');
    expect(email.html).toContain('version 3 of 2026-03-30T04:00:00.000Z');
  });

  it('lists the orders with an unreadable time when there are some', () => {
    // Act
    const email = renderReportEmail(
      report({
        figures: {
          orders: { processed: 1, revenueCents: {}, unreadable: 4 },
          emails: { sent: 0, failed: 0 },
          runs: {},
        },
      }),
    );

    // Assess
    expect(email.text).toContain('Orders with an unreadable time: 4, in no figure (see the log)');
  });

  it('produces a payload the send-email job accepts when rendered for a recipient', () => {
    // Act
    const payload = { to: 'ops@example.com', ...renderReportEmail(report()) };

    // Assess
    expect(sendEmailJob.payload.safeParse(payload).success).toBe(true);
  });
});
