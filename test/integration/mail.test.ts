/**
 * E-mail end to end: the real workflows and activities on this file's time-skipping server and
 * FerretDB, with mail on (the outbox written beside the notifications), drained by the worker's
 * mail sender into a real SMTP server started here (smtp-server), whose received bytes are parsed
 * back (mailparser). A filing's decisions and notice, a batch's reminders and its certificate
 * issuance arrive at the institution's contact address with their Chinese subjects; a server that
 * is down at first only delays the mail.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { application } from '../fixtures/filing';
import { candidates, passingScores, plan } from '../fixtures/batch';
import { batchBed, eventually, leadDates, passResults, toPublicity, toResultsReview, type ActiveFiling, type BatchBed } from '../harness/batch-env';
import { freePort } from '../../infra/embedded';
import { createSmtpMailer } from '../../infra/mailer';
import { recipientsOf, startMailSender, type MailSender } from '../../infra/mail-sender';
import { decideUpdate } from '../../workflows/batch/messages';
import type { MailDoc } from '../../models/mail';

const CONTACT = 'lihong@jingong.example.cn';

/** A real SMTP server on `port` keeping every message it accepts, parsed. */
async function smtpServer(port: number) {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        simpleParser(Buffer.concat(chunks)).then(
          (m) => (received.push(m), cb()),
          (err: Error) => cb(err),
        );
      });
    },
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', () => ok()));
  return { received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const addresses = (m: ParsedMail) => ([] as AddressObject[]).concat(m.to ?? []).flatMap((a) => a.value.map((v) => v.address));

describe('e-mail through SMTP', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  let sender: MailSender | undefined;
  const fast = { pollMs: 100, retryInitialMs: 200, retryMaxMs: 400, log: () => undefined };
  const mailerAt = (port: number) =>
    createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      from: '省职业技能鉴定中心 <no-reply@skills.example.gov.cn>',
      connectionTimeout: 1000,
      greetingTimeout: 1000,
    });
  const outbox = (filter: object = {}) => bed.models.Mail.find(filter).sort({ _id: 1 }).lean<MailDoc[]>();

  beforeAll(async () => {
    bed = await batchBed({ mail: true });
    await bed.begin();
  });
  afterAll(async () => {
    await sender?.stop();
    await bed?.close();
  });

  it("a filing's decisions and notice, a batch's reminders and its certificate issuance reach the contact by mail, Chinese subjects intact", async () => {
    const port = await freePort();
    const smtp = await smtpServer(port);
    sender = startMailSender(bed.models, mailerAt(port), fast);
    try {
      const app = application();
      app.institution.contact.email = CONTACT;
      f = await bed.activeFiling(app);
      const { earliest } = await leadDates(bed);
      const p = plan(f.app, earliest.date, earliest.date, candidates(f.app, [4, 4]));
      const b = await bed.submit(f, p);
      await toPublicity(bed, f, b.id, passingScores(p.candidates));
      await toResultsReview(bed, f, b.id);
      expect((await passResults(bed, f, b.id)).status).toBe('certified');

      const mails = await eventually(async () => {
        const docs = await outbox();
        expect(docs.find((d) => d.notificationKind === 'certified')?.state).toBe('sent');
        expect(docs.every((d) => d.state === 'sent')).toBe(true);
        return docs;
      }, 30_000);
      // only the four mailed kinds were queued: no 'submitted', 'task' or 'publicity' (those stay in the inbox)
      const kinds = new Set(mails.map((d) => d.notificationKind));
      expect(kinds).toEqual(new Set(['decision', 'notice', 'scores-due', 'results-due', 'certified']));
      expect(new Set(mails.map((d) => d.kind))).toEqual(new Set(['decision', 'reminder', 'certificate']));
      expect(await bed.models.Notification.countDocuments({ kind: { $in: ['submitted', 'task'] } })).toBeGreaterThan(0);

      // one message per outbox entry, each to the contact, its subject decoded back to the Chinese text
      await eventually(async () => expect(smtp.received).toHaveLength(mails.length));
      for (const m of smtp.received) expect(addresses(m)).toEqual([CONTACT]);
      expect(smtp.received.map((m) => m.subject).sort()).toEqual(mails.map((d) => d.subject).sort());
      const certified = smtp.received.find((m) => m.subject!.startsWith('【职业技能等级认定】证书生成：认定结果审核通过，已生成 2 张职业技能等级证书'));
      expect(certified?.text).toContain(`认定批次 ${b.id}`);
      const notice = smtp.received.find((m) => m.subject!.startsWith('【职业技能等级认定】备案通知：备案通知：'));
      expect(notice?.text).toMatch(/有效期至 \d{4}-\d{2}-\d{2}/);
      expect(smtp.received.some((m) => m.subject!.startsWith('【职业技能等级认定】成绩录入提醒：考核已结束，请于'))).toBe(true);
      // the Message-ID the outbox recorded is the one received
      const doc = mails.find((d) => d.notificationKind === 'certified')!;
      expect(certified?.messageId).toBe(doc.messageId);
      expect(doc).toMatchObject({ attempts: 1, accepted: 1, rejected: 0 });
    } finally {
      await sender.stop();
      sender = undefined;
      await smtp.close();
    }
  });

  it('an SMTP server that is down delays the mail: it is retried, and arrives once, when the server comes up', async () => {
    const port = await freePort();
    sender = startMailSender(bed.models, mailerAt(port), fast);
    const { earliest } = await leadDates(bed);
    const b = await bed.submit(f, plan(f.app, earliest.date, earliest.date, candidates(f.app, [4])));
    const s = await bed
      .handle(b.id)
      .executeUpdate(decideUpdate, { args: [{ stage: 'plan-review', outcome: 'pass', opinion: '计划已备案', actor: f.b.center }] });
    expect(s.status).toBe('acknowledged');
    const pending = await eventually(async () => {
      const [d] = await outbox({ targetId: b.id });
      expect(d).toMatchObject({ state: 'pending', notificationKind: 'decision' });
      expect(d.attempts).toBeGreaterThanOrEqual(2);
      expect(d.lastError).toMatch(/^SMTP_UNAVAILABLE/);
      return d;
    });
    // the failure recorded names no address (personal data)
    expect(pending.lastError).not.toContain(CONTACT);

    const smtp = await smtpServer(port);
    try {
      await eventually(async () => expect(smtp.received).toHaveLength(1));
      expect(smtp.received[0].subject).toBe('【职业技能等级认定】审核决定：认定批次计划已备案：计划已备案');
      expect(addresses(smtp.received[0])).toEqual([CONTACT]);
      const [sent] = await eventually(async () => {
        const docs = await outbox({ targetId: b.id });
        expect(docs[0].state).toBe('sent');
        return docs;
      });
      expect(sent.lastError).toBeNull();
      // a few more looks at the outbox send nothing again
      await sender.drain();
      expect(smtp.received).toHaveLength(1);
    } finally {
      await sender.stop();
      sender = undefined;
      await smtp.close();
    }
  });

  it('recipients: the institution by its filing contact, registered experts and supervisors by their address, reviewers and centers by the address book, inactive ones never', async () => {
    await bed.models.Expert.create([
      { _id: 'mail-expert-1', name: '专家甲', idNumber: '220102198001011234', province: '22', email: 'zhuanjia@example.cn' },
      { _id: 'mail-expert-2', name: '专家乙', idNumber: '220102198001011235', province: '22', email: 'yi@example.cn', active: false },
      { _id: 'mail-expert-3', name: '专家丙', idNumber: '220102198001011236', province: '22' },
    ]);
    await bed.models.Supervisor.create({ _id: 'mail-sup-1', name: '督导', idNumber: '220102198001011237', province: '22', email: 'dudao@example.cn' });
    expect(await recipientsOf(bed.models, { role: 'expert', userIds: ['mail-expert-1', 'mail-expert-2', 'mail-expert-3'] })).toEqual(['zhuanjia@example.cn']);
    expect(await recipientsOf(bed.models, { role: 'supervisor', userIds: ['mail-sup-1', 'mail-expert-1'] })).toEqual(['dudao@example.cn']);
    expect(await recipientsOf(bed.models, { institutionId: f.app.institution.creditCode })).toEqual([CONTACT]);
    // reviewers and centers by the address book: the role in the step's region, active ones only
    await bed.models.Reviewer.create([
      { _id: 'mail-pref-1', name: '长春', role: 'prefecture-reviewer', province: '22', prefecture: '220100', email: 'cc@hrss.example.cn' },
      { _id: 'mail-pref-2', name: '吉林', role: 'prefecture-reviewer', province: '22', prefecture: '220200', email: 'jl@hrss.example.cn' },
      { _id: 'mail-prov-1', name: '省厅', role: 'province-reviewer', province: '22', prefecture: null, email: 'st@hrss.example.cn' },
      { _id: 'mail-prov-2', name: '省厅乙', role: 'province-reviewer', province: '22', prefecture: null, email: 'old@hrss.example.cn', active: false },
      { _id: 'mail-center-1', name: '市中心', role: 'center', province: '22', prefecture: '220100', email: 'zx@osta.example.cn' },
      { _id: 'mail-center-2', name: '省中心', role: 'center', province: '22', prefecture: null, email: 'szx@osta.example.cn' },
    ]);
    expect(await recipientsOf(bed.models, { role: 'prefecture-reviewer', province: '22', prefecture: '220100' })).toEqual(['cc@hrss.example.cn']);
    expect(await recipientsOf(bed.models, { role: 'province-reviewer', province: '22' })).toEqual(['st@hrss.example.cn']);
    expect(await recipientsOf(bed.models, { role: 'center', province: '22', prefecture: '220100' })).toEqual(['zx@osta.example.cn']);
    expect(await recipientsOf(bed.models, { role: 'center', province: '22' })).toEqual(['szx@osta.example.cn']);
    expect(await recipientsOf(bed.models, { role: 'province-reviewer', province: '21' })).toEqual([]);
  });
});
