/**
 * Which notifications also go out by e-mail, and what such a mail says (issue #16 §4).
 *
 * SPEC §8 has reminders go out before a deadline (a renewal's, a batch's results) and an overdue
 * case escalate to the assignee's superior and then the province; a renewal is asked for three
 * months before expiry (004 Art.9); approved results become certificates (000 §五 4). Those four — reminders,
 * escalations, decisions, certificate issuance — are mailed as well as shown in the inbox; every
 * other notification (a new task, a publicity, a supervision report) stays in the inbox only.
 *
 * Pure: the worker's mail sender (infra/mail-sender.ts) resolves addresses and talks SMTP.
 */
import { FILING_STATUS_LABELS, BATCH_STATUS_LABELS, MAIL_KIND_LABELS, NOTIFICATION_KIND_LABELS } from './labels';
import { isoChina } from './dates';

export type MailKind = 'reminder' | 'escalation' | 'decision' | 'certificate';

/** notification kind → mail kind; a kind not listed is not mailed */
const MAILED: Record<string, MailKind> = {
  // SPEC §8: before a deadline, and when it passed
  overdue: 'reminder',
  'renewal-reminder': 'reminder', // 004 Art.9: renewal three months before expiry
  'results-reminder': 'reminder',
  'scores-due': 'reminder',
  'complaint-reminder': 'reminder',
  'results-due': 'reminder',
  // 002 Art.21: the institution keeps the archive; it hears before and when a part's keeping ends
  'archive-reminder': 'reminder',
  'archive-disposed': 'decision',
  // SPEC §8: to the superior, then the province
  escalation: 'escalation',
  // decisions on the case: a stage's outcome, the notice, the end of a filing or batch
  decision: 'decision',
  'supplement-requested': 'decision',
  notice: 'decision',
  'objection-upheld': 'decision',
  expired: 'decision',
  terminated: 'decision',
  withdrawn: 'decision',
  rejected: 'decision',
  cancelled: 'decision',
  suspended: 'decision',
  resumed: 'decision',
  // results approved: the certificates are issued (000 §五 4 证书信息)
  certified: 'certificate',
};

export function mailKindOf(notificationKind: string): MailKind | null {
  return MAILED[notificationKind] ?? null;
}

export interface MailText {
  subject: string;
  text: string;
}

const SUBJECT_PREFIX = '【职业技能等级认定】';
const CASE_LABELS: Record<string, string> = { filing: '评价机构备案', batch: '认定批次', complaint: '投诉举报' };

/** What a notification says as a mail: the subject names the kind and begins the message, one line. */
export function mailText(n: { kind: string; message: string; targetType?: string; targetId?: string; at: Date | string }): MailText {
  const mailKind = mailKindOf(n.kind);
  const what =
    NOTIFICATION_KIND_LABELS[n.kind] ?? FILING_STATUS_LABELS[n.kind] ?? BATCH_STATUS_LABELS[n.kind] ?? (mailKind ? MAIL_KIND_LABELS[mailKind] : '通知');
  const oneLine = n.message.replace(/\s+/g, ' ').trim();
  const gist = Array.from(oneLine).length > 60 ? `${Array.from(oneLine).slice(0, 59).join('')}…` : oneLine;
  const at = typeof n.at === 'string' ? Date.parse(n.at) : n.at.getTime();
  const lines = [
    n.message,
    '',
    ...(n.targetType && n.targetId ? [`事项：${CASE_LABELS[n.targetType] ?? n.targetType} ${n.targetId}`] : []),
    `时间：${isoChina(at).slice(0, 16).replace('T', ' ')}`,
    '',
    '请登录职业技能等级认定系统查看详情并办理。',
    '本邮件由系统自动发送，请勿直接回复。',
  ];
  return { subject: `${SUBJECT_PREFIX}${what}：${gist}`, text: lines.join('\n') };
}
