import { z } from 'zod';

const CRLF = /[\r\n]/;
/**
 * Reliability fix (issue 5, case 10): a lone UTF-16 surrogate passed validation, then made the SES client throw
 * `URIError: URI malformed` on every attempt, so the e-mail burned all its retries. It is refused up front now.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (value: string): boolean => !LONE_SURROGATE.test(value);
const NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogate)';

/** An address SES will take; CR and LF are refused, so no header can be injected through it. */
export const emailAddress = z
  .string()
  .max(254)
  .refine((value) => !CRLF.test(value), 'must not contain CR or LF')
  .refine(wellFormed, NOT_WELL_FORMED)
  .pipe(z.email('must be a valid e-mail address'));

/** A header value (subject, display name): printable, one line, within RFC 5322's line limit. */
export const headerText = z
  .string()
  .min(1, 'must not be empty')
  .max(998, 'must be at most 998 characters')
  .refine((value) => !CRLF.test(value), 'must not contain CR or LF (header injection)')
  .refine(wellFormed, NOT_WELL_FORMED);

/** The content of one message: text, HTML, or both. */
export const messageContent = {
  subject: headerText,
  text: z.string().max(100_000).refine(wellFormed, NOT_WELL_FORMED).optional(),
  html: z.string().max(100_000).refine(wellFormed, NOT_WELL_FORMED).optional(),
};

export const hasBody = (value: { text?: string | undefined; html?: string | undefined }): boolean =>
  Boolean(value.text ?? value.html);
