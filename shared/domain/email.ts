/** One e-mail to send; fields are already validated (no CR/LF in headers). */
export interface OutgoingEmail {
  readonly to: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
}

/** Sends e-mail. An implementation throws PermanentJobError for what no retry can fix. */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<{ readonly messageId: string }>;
}
