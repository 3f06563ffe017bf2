import { describe, expect, it } from 'vitest';
import { FunctionOutput } from '@serverless-jobs/local/runner';

const printed = (colored: boolean): string => {
  const out: string[] = [];
  new FunctionOutput('pretty', undefined, (text) => void out.push(text), 10, colored).line(
    'send-email',
    JSON.stringify({ level: 'INFO', message: 'E-mail sent', to: 'a@example.com' }),
  );
  return out.join('');
};

describe('Class: FunctionOutput', () => {
  it('prints the job name in colour on a terminal, and plain text otherwise (a log file, NO_COLOR)', () => {
    expect(printed(true)).toMatch(
      /^\d\d:\d\d:\d\d \x1b\[36m\[send-email\]\x1b\[0m INFO {2}E-mail sent to=a@example.com\n$/,
    );
    expect(printed(false)).toMatch(/^\d\d:\d\d:\d\d \[send-email\] INFO {2}E-mail sent to=a@example.com\n$/);
  });

  it("prints a line's trace ID last, as trace=, while Powertools' other keys stay hidden", () => {
    const out: string[] = [];
    new FunctionOutput('pretty', undefined, (text) => void out.push(text), 10, false).line(
      'send-email',
      JSON.stringify({
        level: 'INFO',
        message: 'Job succeeded',
        xray_trace_id: '1-6650f3a2-0123456789abcdef01234567',
        jobId: 'welcome/ada',
        service: 'serverless-jobs',
      }),
    );
    expect(out.join('')).toMatch(
      /\[send-email\] INFO {2}Job succeeded jobId=welcome\/ada trace=1-6650f3a2-0123456789abcdef01234567\n$/,
    );
  });
});
