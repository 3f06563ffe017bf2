import * as z from '@serverless-jobs/runtime/zod';

const CRLF = /[\r\n]/;
/**
 * A lone UTF-16 surrogate passed validation, then made the SES client throw
 * `URIError: URI malformed` on every attempt, so the e-mail burned all its retries. It is refused up front now.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (value: string): boolean => !LONE_SURROGATE.test(value);
const NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogate)';

/** An address SES will take; CR and LF are refused, so no header can be injected through it. */
export const emailAddress = z.pipe(
  z.string().check(
    z.maxLength(254),
    z.refine((value) => !CRLF.test(value), 'must not contain CR or LF'),
    z.refine(wellFormed, NOT_WELL_FORMED),
  ),
  z.email('must be a valid e-mail address'),
);

/** A header value (subject, display name): printable, one line, within RFC 5322's line limit. */
export const headerText = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(998, 'must be at most 998 characters'),
  z.refine((value) => !CRLF.test(value), 'must not contain CR or LF (header injection)'),
  z.refine(wellFormed, NOT_WELL_FORMED),
);

const body = z.optional(z.string().check(z.maxLength(100_000), z.refine(wellFormed, NOT_WELL_FORMED)));

/** The content of one message: text, HTML, or both. */
export const messageContent = { subject: headerText, text: body, html: body };

export const hasBody = (value: { text?: string | undefined; html?: string | undefined }): boolean =>
  Boolean(value.text ?? value.html);
