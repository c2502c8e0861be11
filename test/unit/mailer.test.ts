/**
 * The mailer against a real SMTP server in this process (smtp-server, with authentication), the
 * received bytes parsed back with mailparser.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { ApplicationFailure } from '@temporalio/common';
import { loadSettings } from '../../config';
import { freePort } from '../../infra/embedded';
import { createSmtpMailer, mailerFromSettings, messageIdHeader, type Mailer } from '../../infra/mailer';

interface Received {
  raw: Buffer;
  from: string;
  rcptTo: string[];
  user?: string;
}

/** A real SMTP server on `port` that keeps what it receives; `reject` decides per recipient. */
async function smtpServer(port: number, opts: { reject?: (address: string) => number | undefined } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'], // plain TCP on loopback; auth is still required
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mailer' && auth.password === 's3cret:/@') return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const code = opts.reject?.(address.address);
      if (code) return cb(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
      cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', () => ok()));
  return { received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const SUBJECT = '【职业技能等级认定】备案补正通知：请于5个工作日内补正材料';
const TEXT = '张三您好：\n\n贵机构提交的评价机构备案（编号 F-2026-0001）需要补正，请登录系统查看详情。\n\n——省职业技能鉴定中心';
const HTML = '<p>张三您好：</p><p>贵机构提交的评价机构备案需要<strong>补正</strong>。</p>';
const url = (port: number, pass = 's3cret:/@') => `smtp://mailer:${encodeURIComponent(pass)}@127.0.0.1:${port}`;

describe('mailer (SMTP)', () => {
  const mailers: Mailer[] = [];
  const mailer = (port: number, pass?: string) => {
    const m = createSmtpMailer({
      url: url(port, pass),
      from: '省职业技能鉴定中心 <no-reply@skills.example.gov.cn>',
      connectionTimeout: 3000,
      greetingTimeout: 3000,
      socketTimeout: 5000,
    });
    mailers.push(m);
    return m;
  };
  afterAll(() => mailers.forEach((m) => m.close()));

  it('sends a Chinese message: subject RFC 2047 encoded, body UTF-8, recipients and Message-ID as given', async () => {
    const port = await freePort();
    const server = await smtpServer(port);
    try {
      const sent = await mailer(port).sendMail({
        to: ['zhangsan@example.cn', 'office@example.cn'],
        subject: SUBJECT,
        text: TEXT,
        html: HTML,
        messageId: 'filing-F-2026-0001.notice-1',
      });
      expect(sent).toEqual({
        messageId: '<filing-F-2026-0001.notice-1@skills.example.gov.cn>',
        accepted: ['zhangsan@example.cn', 'office@example.cn'],
        rejected: [],
      });
      expect(server.received).toHaveLength(1);
      const [r] = server.received;
      expect(r.user).toBe('mailer');
      expect(r.from).toBe('no-reply@skills.example.gov.cn');
      expect(r.rcptTo).toEqual(['zhangsan@example.cn', 'office@example.cn']);

      // the header block is 7-bit: every non-ASCII character is encoded
      const head = r.raw.subarray(0, r.raw.indexOf('\r\n\r\n')).toString('latin1');
      expect(/^[\x20-\x7e\r\n\t]*$/.test(head)).toBe(true);
      expect(head).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
      expect(r.raw.toString('latin1')).toMatch(/^Content-Type: text\/plain; charset=utf-8/im);
      expect(r.raw.toString('latin1')).toMatch(/^Content-Type: text\/html; charset=utf-8/im);
      expect(head).toMatch(/^Message-ID: <filing-F-2026-0001\.notice-1@skills\.example\.gov\.cn>/im);

      const mail = await simpleParser(r.raw);
      expect(mail.subject).toBe(SUBJECT);
      expect(mail.text?.trim()).toBe(TEXT);
      expect(mail.html).toContain('<strong>补正</strong>');
      expect((mail.to as AddressObject).value.map((a) => a.address)).toEqual(['zhangsan@example.cn', 'office@example.cn']);
      expect(mail.from?.value[0]).toEqual({ name: '省职业技能鉴定中心', address: 'no-reply@skills.example.gov.cn' });
      expect(mail.messageId).toBe('<filing-F-2026-0001.notice-1@skills.example.gov.cn>');
      expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    } finally {
      await server.close();
    }
  });

  it('a server that is down makes sendMail throw a retryable error; once it is up the retry goes through with the same Message-ID', async () => {
    const port = await freePort();
    const m = mailer(port);
    const message = { to: ['zhangsan@example.cn'], subject: SUBJECT, text: TEXT, messageId: 'filing:F-2026-0002/补正通知' };
    const err = await m.sendMail(message).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'SMTP_UNAVAILABLE', nonRetryable: false });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).not.toContain('zhangsan'); // no recipient in what the failure (and the history) says
    const firstId = err.details[0].messageId;

    const server = await smtpServer(port);
    try {
      const sent = await m.sendMail(message);
      expect(sent.messageId).toBe(firstId);
      // a second retry after a lost completion: a duplicate, but recognisably the same message
      await m.sendMail(message);
      const ids = await Promise.all(server.received.map(async (r) => (await simpleParser(r.raw)).messageId));
      expect(ids).toEqual([firstId, firstId]);
      expect(firstId).toMatch(/^<filing-F-2026-0002\.[0-9a-f]{16}@skills\.example\.gov\.cn>$/);
    } finally {
      await server.close();
    }
  });

  it('a temporary refusal (4xx) and wrong credentials are retryable; a permanent refusal of every recipient is not', async () => {
    const port = await freePort();
    const server = await smtpServer(port, { reject: (a) => (a.startsWith('full@') ? 452 : a.startsWith('gone@') ? 550 : undefined) });
    try {
      const base = { subject: SUBJECT, text: TEXT, messageId: 'm-1' };
      await expect(mailer(port).sendMail({ ...base, to: ['full@example.cn'] })).rejects.toMatchObject({ type: 'SMTP_UNAVAILABLE', nonRetryable: false });
      await expect(mailer(port, 'wrong').sendMail({ ...base, to: ['zhangsan@example.cn'] })).rejects.toMatchObject({
        type: 'SMTP_UNAVAILABLE',
        nonRetryable: false,
      });
      const gone = await mailer(port)
        .sendMail({ ...base, to: ['gone@example.cn'] })
        .catch((e) => e);
      expect(gone).toMatchObject({ type: 'SMTP_REJECTED', nonRetryable: true });
      expect(gone.message).not.toContain('gone@');
      // one refused among others: sent to the rest, the refused one reported
      const partly = await mailer(port).sendMail({ ...base, to: ['zhangsan@example.cn', 'gone@example.cn'] });
      expect(partly).toMatchObject({ accepted: ['zhangsan@example.cn'], rejected: ['gone@example.cn'] });
      expect(server.received.map((r) => r.rcptTo)).toEqual([['zhangsan@example.cn']]);
    } finally {
      await server.close();
    }
  });

  it('refuses bad input without contacting the server (non-retryable)', async () => {
    const m = mailer(await freePort());
    const base = { to: ['a@example.cn'], subject: 'x', text: 'y', messageId: 'id' };
    for (const bad of [
      { ...base, to: [] },
      { ...base, to: ['not an address'] },
      { ...base, subject: 'x\r\nBcc: victim@example.cn' },
      { ...base, messageId: ' ' },
    ]) {
      await expect(m.sendMail(bad)).rejects.toMatchObject({ type: 'MAIL_INVALID', nonRetryable: true });
    }
  });

  it('Message-IDs are deterministic and never shared by two keys', () => {
    expect(messageIdHeader('a.b-c_d', 'x.cn')).toBe('<a.b-c_d@x.cn>');
    expect(messageIdHeader('<given@elsewhere.cn>', 'x.cn')).toBe('<given@elsewhere.cn>');
    expect(messageIdHeader('a:b', 'x.cn')).toBe(messageIdHeader('a:b', 'x.cn'));
    expect(messageIdHeader('a:b', 'x.cn')).not.toBe(messageIdHeader('a/b', 'x.cn'));
    expect(messageIdHeader('通知', 'x.cn')).toMatch(/^<[0-9a-f]{16}@x\.cn>$/);
  });
});

describe('mailerFromSettings', () => {
  it('without SMTP_URL mail is off in every mode, production included: no mailer, nothing thrown', () => {
    const production = loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%' });
    expect(mailerFromSettings(production)).toBeUndefined();
    expect(mailerFromSettings(loadSettings({ APP_MODE: 'development' }))).toBeUndefined();
  });

  it('uses SMTP when SMTP_URL is set', async () => {
    const port = await freePort();
    const server = await smtpServer(port);
    const m = mailerFromSettings(loadSettings({ APP_MODE: 'development', SMTP_URL: url(port), SMTP_FROM: 'no-reply@skills.example.gov.cn' }))!;
    try {
      await m.sendMail({ to: ['zhangsan@example.cn'], subject: SUBJECT, text: TEXT, messageId: 'x-1' });
      expect(server.received).toHaveLength(1);
    } finally {
      m.close();
      await server.close();
    }
  });
});
