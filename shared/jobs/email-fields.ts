import { z } from 'zod';

const CRLF = /[\r\n]/;

/** An address SES will take; CR and LF are refused, so no header can be injected through it. */
export const emailAddress = z
  .string()
  .max(254)
  .refine((value) => !CRLF.test(value), 'must not contain CR or LF')
  .pipe(z.email('must be a valid e-mail address'));

/** A header value (subject, display name): printable, one line, within RFC 5322's line limit. */
export const headerText = z
  .string()
  .min(1, 'must not be empty')
  .max(998, 'must be at most 998 characters')
  .refine((value) => !CRLF.test(value), 'must not contain CR or LF (header injection)');

/** The content of one message: text, HTML, or both. */
export const messageContent = {
  subject: headerText,
  text: z.string().max(100_000).optional(),
  html: z.string().max(100_000).optional(),
};

export const hasBody = (value: { text?: string | undefined; html?: string | undefined }): boolean =>
  Boolean(value.text ?? value.html);
