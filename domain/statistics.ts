/**
 * Reporting to the national system, as pure rules (#15 §7):
 * - 002 Art.21 and 004 Art.13: certificate data goes to the national certificate query system
 *   (全国联网查询); 001 §三(七): the center reports the results upward. One row per certificate,
 *   and what changed since the last report (a correction, 004 Art.12, or a revocation) flagged,
 *   so the national copy can follow.
 * - 003 §九 and 001 §三(七): the figures for the national skills statistics (职业技能鉴定统计):
 *   certificates by occupation, level and quarter, pass rates, institutions by status, filings by
 *   stage, overdue steps.
 * The database reads are in api/repositories/statistics.ts; the dashboard draws these figures.
 */
import { CHINA_OFFSET_MS, chinaDateOf, startOfDayMs } from './dates';
import { toCsv, type ResultSummary } from './batch';
import { CERTIFICATE_LEVEL_NAMES, type CertificateLevel } from './certificate-code';

/** The only ID type the certificates carry today (居民身份证; SPEC §4). */
export const REPORT_ID_TYPE = '居民身份证';

/** The instants that bound a calendar year in China time, [start, end). */
export function yearBounds(year: number): { start: Date; end: Date } {
  const pad = (y: number) => String(y).padStart(4, '0');
  return { start: new Date(startOfDayMs(`${pad(year)}-01-01`)), end: new Date(startOfDayMs(`${pad(year + 1)}-01-01`)) };
}

/** The instants that bound the China dates from..to, both included: [start of from, start of the day after to). */
export function dateRangeBounds(from: string, to: string): { start: Date; end: Date } {
  return { start: new Date(startOfDayMs(from)), end: new Date(startOfDayMs(to) + 24 * 3_600_000) };
}

// ---------------------------------------------------------------------------------------------
// The certificate report (002 Art.21, 004 Art.13)
// ---------------------------------------------------------------------------------------------

/** What the national copy must redo for a certificate: none, its latest correction, or its revocation. */
export type ReportChange = 'corrected' | 'revoked' | null;

export interface ReportableCertificate {
  _id: string;
  holder: { name: string; idNumber: string };
  occupation: { code: string; name: string };
  trade?: string | null;
  level: number;
  institution: { code: string; creditCode: string; name: string };
  issuedAt: Date | string;
  status: 'valid' | 'revoked';
  version?: number;
  revocation?: { at: Date | string } | null;
  corrections?: { at: Date | string }[];
}

export interface CertificateReportRow {
  number: string;
  name: string;
  idType: string;
  idNumber: string;
  occupationCode: string;
  occupationName: string;
  trade: string | null;
  level: number;
  institutionCode: string;
  institutionName: string;
  issueDate: string;
  status: 'valid' | 'revoked';
  version: number;
  /** changed since the last report (002 Art.21: the national copy follows corrections and revocations) */
  change: ReportChange;
}

const instant = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(v));

/**
 * Has the certificate changed since the last report at `since`? A revocation outranks a correction
 * (the national copy must show it revoked, whatever was corrected before). With no earlier report,
 * every correction and revocation is news.
 */
export function reportChangeSince(cert: ReportableCertificate, since: Date | null): ReportChange {
  const after = (at: Date | string) => since === null || instant(at) > since.getTime();
  if (cert.status === 'revoked' && cert.revocation && after(cert.revocation.at)) return 'revoked';
  if ((cert.corrections ?? []).some((c) => after(c.at))) return 'corrected';
  return null;
}

export function certificateReportRow(cert: ReportableCertificate, since: Date | null): CertificateReportRow {
  return {
    number: cert._id,
    name: cert.holder.name,
    idType: REPORT_ID_TYPE,
    idNumber: cert.holder.idNumber,
    occupationCode: cert.occupation.code,
    occupationName: cert.occupation.name,
    trade: cert.trade ?? null,
    level: cert.level,
    institutionCode: cert.institution.code,
    institutionName: cert.institution.name,
    issueDate: chinaDateOf(instant(cert.issuedAt)),
    status: cert.status,
    version: cert.version ?? 1,
    change: reportChangeSince(cert, since),
  };
}

export const REPORT_HEADER = [
  '证书编号',
  '姓名',
  '证件类型',
  '证件号码',
  '职业编码',
  '职业名称',
  '工种',
  '等级',
  '评价机构代码',
  '评价机构名称',
  '发证日期',
  '状态',
  '版本',
  '自上次报送以来的变更',
];

const CHANGE_TEXT: Record<Exclude<ReportChange, null>, string> = { corrected: '已更正', revoked: '已撤销' };
const STATUS_TEXT = { valid: '有效', revoked: '已撤销' } as const;

/** The report as CSV, UTF-8 with a BOM so that Excel keeps the Chinese. */
export function certificateReportCsv(rows: readonly CertificateReportRow[]): string {
  return toCsv([REPORT_HEADER, ...rows.map(reportCsvCells)]);
}

export function reportCsvCells(r: CertificateReportRow): unknown[] {
  return [
    r.number,
    r.name,
    r.idType,
    r.idNumber,
    r.occupationCode,
    r.occupationName,
    r.trade ?? '',
    CERTIFICATE_LEVEL_NAMES[r.level as CertificateLevel] ?? r.level,
    r.institutionCode,
    r.institutionName,
    r.issueDate,
    STATUS_TEXT[r.status],
    r.version,
    r.change ? CHANGE_TEXT[r.change] : '',
  ];
}

// ---------------------------------------------------------------------------------------------
// The statistics (003 §九, 001 §三(七))
// ---------------------------------------------------------------------------------------------

export interface CertificateCount {
  occupationCode: string;
  occupationName: string;
  level: number;
  quarter: 1 | 2 | 3 | 4;
  count: number;
}

export interface PassRate {
  occupationCode: string;
  occupationName: string;
  level: number;
  /** sat the exams (评价人数) */
  assessed: number;
  passed: number;
  /** passed / assessed, 4 decimals; null when nobody sat */
  rate: number | null;
}

/**
 * Pass rates per occupation and level, summed over the 结果汇总表 of the batches counted (001
 * 附件3: 评价人数 and 合格人数 per level): the rate of the sums, never the mean of the batches' rates.
 */
export function passRates(summaries: readonly Pick<ResultSummary, 'rows'>[]): PassRate[] {
  const acc = new Map<string, PassRate>();
  for (const s of summaries) {
    for (const row of s.rows) {
      for (const [levelKey, count] of Object.entries(row.levels)) {
        const level = Number(levelKey);
        if (!Number.isInteger(level) || count.assessed === 0) continue;
        const key = `${row.occupationCode}|${level}`;
        const cur = acc.get(key) ?? { occupationCode: row.occupationCode, occupationName: row.occupationName, level, assessed: 0, passed: 0, rate: null };
        cur.assessed += count.assessed;
        cur.passed += count.passed;
        acc.set(key, cur);
      }
    }
  }
  return [...acc.values()]
    .map((r) => ({ ...r, rate: r.assessed ? Math.round((r.passed / r.assessed) * 10_000) / 10_000 : null }))
    .sort((a, b) => a.occupationCode.localeCompare(b.occupationCode) || b.level - a.level);
}

export interface IssuedCertificate {
  occupation: { code: string; name: string };
  level: number;
  issuedAt: Date | string;
  /** how many certificates this stands for (a batch's tally row); 1 when absent */
  count?: number;
}

/** One batch's certificates counted by occupation and level, in code order (models/certificates.ts CertificateTallyDoc). */
export function tallyCertificates(certificates: readonly Pick<IssuedCertificate, 'occupation' | 'level'>[]) {
  const acc = new Map<string, { occupationCode: string; occupationName: string; level: number; count: number }>();
  for (const c of certificates) {
    const key = `${c.occupation.code}|${c.level}`;
    const cur = acc.get(key) ?? { occupationCode: c.occupation.code, occupationName: c.occupation.name, level: c.level, count: 0 };
    cur.count += 1;
    acc.set(key, cur);
  }
  const counts = [...acc.values()].sort((a, b) => a.occupationCode.localeCompare(b.occupationCode) || b.level - a.level);
  return { total: certificates.length, counts };
}

/** A batch's tally as the certificates it stands for, for countCertificates. */
export function tallyRows(t: {
  issuedAt: Date | string;
  counts: readonly { occupationCode: string; occupationName: string; level: number; count: number }[];
}): IssuedCertificate[] {
  return t.counts.map((c) => ({ occupation: { code: c.occupationCode, name: c.occupationName }, level: c.level, issuedAt: t.issuedAt, count: c.count }));
}

/**
 * Certificates issued in `year` (China time), counted by occupation, level and quarter (the
 * national statistics' grain), and per month (the dashboard's line).
 */
export function countCertificates(issued: readonly IssuedCertificate[], year: number): { byQuarter: CertificateCount[]; perMonth: number[] } {
  const perMonth = new Array<number>(12).fill(0);
  const acc = new Map<string, CertificateCount>();
  for (const c of issued) {
    const local = new Date(instant(c.issuedAt) + CHINA_OFFSET_MS);
    if (local.getUTCFullYear() !== year) continue;
    const month = local.getUTCMonth();
    const n = c.count ?? 1;
    perMonth[month] += n;
    const quarter = (Math.floor(month / 3) + 1) as 1 | 2 | 3 | 4;
    const key = `${c.occupation.code}|${c.level}|${quarter}`;
    const cur = acc.get(key) ?? { occupationCode: c.occupation.code, occupationName: c.occupation.name, level: c.level, quarter, count: 0 };
    cur.count += n;
    acc.set(key, cur);
  }
  const byQuarter = [...acc.values()].sort((a, b) => a.occupationCode.localeCompare(b.occupationCode) || b.level - a.level || a.quarter - b.quarter);
  return { byQuarter, perMonth };
}
