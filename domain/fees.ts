/**
 * Fees (收费). 004 Art.6(2): 不以营利为目的 … 向社会公开发布收费标准; 002 Art.19: 收费标准 … 向社会公示公开 —
 * the filing declares its fee standard (`feeStandard`, with its costing basis `feeBasis`) and the
 * directory publishes it. 004 Art.13: 终止备案前 … 对已收取、未能提供评价服务的费用应退尽退 — a terminated
 * (or expired) filing's batches that were not certified were cancelled with every candidate on
 * them (none was assessed to the end), and those candidates are the refund list. Pure, no I/O.
 */
import { toCsv, type BatchView } from './batch';
import { CERTIFICATE_LEVEL_NAMES, type CertificateLevel } from './certificate-code';

export interface RefundLine {
  batchId: string;
  cancelledAt: string;
  reason: string;
  name: string;
  /** masked or in full, as the caller's rights say (api/masking.ts) */
  idNumber: string;
  occupationCode: string;
  occupationName: string;
  level: number;
}

/** 004 Art.13: every candidate of every batch cancelled short of its certificates is owed the fee back. */
export function refundLines(batches: Pick<BatchView, 'id' | 'plan' | 'cancellation'>[]): RefundLine[] {
  return batches.flatMap((b) =>
    b.cancellation?.refund
      ? b.plan.candidates.map((c) => ({
          batchId: b.id,
          cancelledAt: b.cancellation!.at,
          reason: b.cancellation!.reason,
          name: c.name,
          idNumber: c.idNumber,
          occupationCode: c.occupationCode,
          occupationName: c.occupationName,
          level: c.level,
        }))
      : [],
  );
}

export const REFUND_HEADER = ['序号', '认定批次', '姓名', '身份证号码', '职业编码', '申报职业', '评价等级', '批次取消时间', '取消原因'];

/** The refund list as CSV (UTF-8 with BOM, so Excel shows the Chinese). */
export function refundCsv(lines: RefundLine[]): string {
  return toCsv([
    REFUND_HEADER,
    ...lines.map((l, i) => [
      i + 1,
      l.batchId,
      l.name,
      l.idNumber,
      l.occupationCode,
      l.occupationName,
      CERTIFICATE_LEVEL_NAMES[l.level as CertificateLevel] ?? String(l.level),
      l.cancelledAt,
      l.reason,
    ]),
  ]);
}
