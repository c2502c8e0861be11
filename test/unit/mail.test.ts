/** The pure parts of e-mail: which notifications are mailed, what the mail says, masking, the retry schedule. */
import { mailKindOf, mailText } from '../../domain/mail';
import { maskEmail } from '../../domain/identifiers';
import { seesRegistrantEmail } from '../../domain/access';
import { scrubPersonalData } from '../../api/logging';
import { retryDelayMs } from '../../infra/mail-sender';
import { mailDocs, notificationDocs } from '../../activities/records';

describe('mail', () => {
  it('mails reminders, escalations, decisions and certificate issuance; everything else stays in the inbox', () => {
    expect(['overdue', 'renewal-reminder', 'results-reminder', 'scores-due'].map(mailKindOf)).toEqual(['reminder', 'reminder', 'reminder', 'reminder']);
    expect(mailKindOf('escalation')).toBe('escalation');
    expect(['decision', 'notice', 'supplement-requested', 'terminated'].map(mailKindOf)).toEqual(['decision', 'decision', 'decision', 'decision']);
    expect(mailKindOf('certified')).toBe('certificate');
    expect(['submitted', 'task', 'publicity', 'supervision-report', 'objection'].map(mailKindOf)).toEqual([null, null, null, null, null]);
  });

  it('a subject is one line: the kind and the start of the message; the body keeps the message whole and names the case', () => {
    const message = '「长春精工」初评已逾期（应于 2027-03-05 完成），\n已升级至上级。' + '请尽快办理'.repeat(20);
    const m = mailText({ kind: 'escalation', message, targetType: 'filing', targetId: 'F-1', at: '2027-03-08T09:30:00.000+08:00' });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject.startsWith('【职业技能等级认定】督办：「长春精工」初评已逾期（应于 2027-03-05 完成）， 已升级至上级。')).toBe(true);
    expect(Array.from(m.subject).length).toBeLessThanOrEqual(10 + 3 + 60);
    expect(m.subject.endsWith('…')).toBe(true);
    expect(m.text.startsWith(message)).toBe(true);
    expect(m.text).toContain('事项：评价机构备案 F-1');
    expect(m.text).toContain('时间：2027-03-08 09:30');
  });

  it('the outbox holds the mailed notifications under their own ids, an audience and no address', () => {
    const notes = notificationDocs('batch', 'B-1', 7, [
      { audience: { institutionId: '91220101MA0000000X' }, kind: 'certified', message: '已生成 2 张证书', at: '2027-05-01T10:00:00.000+08:00' },
      { audience: { role: 'center', province: '22' }, kind: 'publicity', message: '公示', at: '2027-05-01T10:00:00.000+08:00' },
    ]);
    const docs = mailDocs(notes, new Date(0));
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ _id: 'B-1:7:n0', kind: 'certificate', state: 'pending', attempts: 0, audience: { institutionId: '91220101MA0000000X' } });
    expect(JSON.stringify(docs)).not.toContain('@');
  });

  it('retries double from the first delay and stay at the longest, without end', () => {
    expect([1, 2, 3, 4, 5, 6, 500].map((n) => retryDelayMs(n, 30_000, 600_000))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('an address is masked for anyone but the keepers of its registry, and scrubbed from any log line', () => {
    expect(maskEmail('lihong@jingong.example.cn')).toBe('l***@jingong.example.cn');
    expect(maskEmail('not-an-address')).toBe('********');
    expect(seesRegistrantEmail({ sub: 'p', name: 'p', role: 'province-reviewer', province: '22' }, '22')).toBe(true);
    expect(seesRegistrantEmail({ sub: 'p', name: 'p', role: 'province-reviewer', province: '14' }, '22')).toBe(false);
    expect(seesRegistrantEmail({ sub: 'c', name: 'c', role: 'center', province: '22' }, '22')).toBe(false);
    expect(seesRegistrantEmail({ sub: 'a', name: 'a', role: 'admin' }, '22')).toBe(true);
    expect(scrubPersonalData('mail to lihong@jingong.example.cn failed, tel 13912345678')).toBe('mail to l***@jingong.example.cn failed, tel 139****5678');
    expect(scrubPersonalData('"msg":"ok @ 10:00"')).toBe('"msg":"ok @ 10:00"');
  });
});
