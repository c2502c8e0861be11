/**
 * Outgoing e-mail through SMTP (SMTP_URL, SMTP_FROM), for activities.
 *
 * Delivery is at-least-once, and duplicates are identifiable: SMTP has no idempotency, so an
 * activity whose attempt sent the message but failed before Temporal recorded the completion
 * (worker crash, timeout after DATA) sends it again on retry. Every attempt carries the same
 * Message-ID, derived only from the caller's `messageId`, so mail clients and archives can
 * recognise the copies (many clients fold them into one). Nothing here retries by itself: a
 * failure that a later attempt may get past (server down, 4xx, authentication, TLS) throws a
 * retryable ApplicationFailure (SMTP_UNAVAILABLE), so the activity's retry policy delays the mail
 * instead of losing it; a permanent rejection of the message or of every recipient (5xx on
 * MAIL FROM / RCPT TO / DATA) throws a non-retryable one (SMTP_REJECTED), because repeating the
 * same message would get the same answer.
 *
 * Subjects and display names are RFC 2047 encoded, bodies UTF-8 (quoted-printable or base64,
 * chosen by nodemailer), so Chinese text survives any 7-bit relay.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import { ApplicationFailure } from '@temporalio/common';
import type { Settings } from '../config';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /**
   * The caller's stable key for this message (e.g. `filing-F123-notice-2`): the same on every
   * retry of the activity that sends it. Becomes the Message-ID header.
   */
  messageId: string;
}

export interface SentMail {
  /** the Message-ID header sent, `<…@…>` */
  messageId: string;
  accepted: string[];
  /** recipients the server refused while accepting others; the message went to the rest and is not resent */
  rejected: string[];
}

export interface Mailer {
  sendMail(message: MailMessage): Promise<SentMail>;
  close(): void;
}

export interface SmtpMailerOptions {
  url: string;
  from?: string;
  /** ms; short enough that an attempt fails well inside the activity's start-to-close timeout */
  connectionTimeout?: number;
  greetingTimeout?: number;
  socketTimeout?: number;
}

const ADDRESS = /^[^\s<>@",;]+@[^\s<>@",;]+\.?[^\s<>@",;]*$/;

/**
 * The Message-ID for a caller's key: deterministic, so every retry sends the same one. Keys that
 * are not a plain dot-atom are made one, with a hash of the original so that two keys never share an id.
 */
export function messageIdHeader(key: string, domain: string): string {
  if (/^<[^<>\s@]+@[^<>\s@]+>$/.test(key)) return key;
  if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key) && key.length <= 200) return `<${key}@${domain}>`;
  const readable = key
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `<${readable ? `${readable}.` : ''}${hash}@${domain}>`;
}

function addressOf(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m ? m[1] : from).trim();
}

function validate(m: MailMessage) {
  const bad = (why: string) => ApplicationFailure.create({ type: 'MAIL_INVALID', message: why, nonRetryable: true });
  if (!m.to.length) throw bad('a mail needs at least one recipient');
  const wrong = m.to.filter((a) => !ADDRESS.test(a));
  if (wrong.length) throw bad(`${wrong.length} recipient address(es) are not addr@domain`);
  // header injection: a subject is one line
  if (/[\r\n]/.test(m.subject)) throw bad('the subject contains a line break');
  if (!m.messageId.trim()) throw bad('messageId is empty');
}

/** Mail through the SMTP server of `url`: one connection per message, so a failed attempt leaves no broken pooled state. */
export function createSmtpMailer(opts: SmtpMailerOptions): Mailer {
  const url = new URL(opts.url);
  const user = decodeURIComponent(url.username);
  const from = opts.from ?? (user.includes('@') ? user : `no-reply@${url.hostname}`);
  const domain = addressOf(from).split('@')[1] ?? url.hostname;
  const transport: Transporter = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: opts.connectionTimeout ?? 10_000,
    greetingTimeout: opts.greetingTimeout ?? 10_000,
    socketTimeout: opts.socketTimeout ?? 30_000,
    // mails are built from our own text only: no attachment may make the worker read files or URLs
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async sendMail(m) {
      validate(m);
      const messageId = messageIdHeader(m.messageId, domain);
      try {
        const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId });
        return { messageId, accepted: (info.accepted ?? []).map(String), rejected: (info.rejected ?? []).map(String) };
      } catch (err) {
        throw smtpFailure(err as NodemailerError, messageId);
      }
    },
    close: () => transport.close(),
  };
}

/** Whether a later attempt may succeed decides retryable or not; the message names no recipient (personal data). */
function smtpFailure(err: NodemailerError, messageId: string): ApplicationFailure {
  const code = err.code ?? 'UNKNOWN';
  const reply = err.responseCode ? ` ${err.responseCode}` : '';
  const permanent = (code === 'EENVELOPE' || code === 'EMESSAGE') && (err.permanent === true || !err.responseCode);
  const details = [{ messageId, code, responseCode: err.responseCode ?? null, cause: err.originalCode ?? null }];
  return permanent
    ? ApplicationFailure.create({
        type: 'SMTP_REJECTED',
        nonRetryable: true,
        message: `SMTP server rejected mail ${messageId} for good (${code}${reply})`,
        details,
      })
    : ApplicationFailure.create({
        type: 'SMTP_UNAVAILABLE',
        nonRetryable: false,
        message: `mail ${messageId} not sent yet (${err.originalCode ?? code}${reply}); the activity retries it`,
        details,
      });
}

/**
 * SMTP when SMTP_URL is set; without it mail is off in every mode, production included (undefined):
 * notifications still reach the inbox, and nothing waits for or fails on a mail server.
 */
export function mailerFromSettings(settings: Pick<Settings, 'SMTP_URL' | 'SMTP_FROM'>): Mailer | undefined {
  return settings.SMTP_URL ? createSmtpMailer({ url: settings.SMTP_URL, from: settings.SMTP_FROM }) : undefined;
}
