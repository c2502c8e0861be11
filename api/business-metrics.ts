/**
 * The business gauges of /metrics, each one aggregation over a read model at scrape time (FerretDB
 * v1 has no $lookup, but $match and $group work): open filings by stage, overdue steps by
 * province, batches by status, certificates issued. Labels are codes only (stage, status,
 * province), never a case id or a name, so the series stay few.
 */
import type { Models } from '../models';
import type { Clock } from '../infra/clock';
import { TERMINAL_STATUSES } from '../domain/filing';
import type { ApiMetrics, GaugeSample } from './plugins/metrics';

/** A filing under review (first application, renewal or change): not ended, and not simply in force. */
const OPEN_FILING = { status: { $nin: [...TERMINAL_STATUSES, 'active'] } };
/** A batch that still has steps ahead. */
const BATCH_ENDED = ['certified', 'rejected', 'cancelled'];

type Group = { _id: Record<string, string | null>; n: number };

const samplesOf = (rows: Group[], labels: readonly string[]): GaugeSample[] =>
  rows.map((r) => ({ labels: Object.fromEntries(labels.map((l) => [l, r._id?.[l] ?? 'none'])), value: r.n }));

const groupBy = (labels: readonly string[], field: Record<string, string>, value: unknown = 1) => ({
  $group: { _id: Object.fromEntries(labels.map((l) => [l, field[l]])), n: { $sum: value } },
});

export function registerBusinessGauges(metrics: ApiMetrics, models: Models, clock: Clock): void {
  metrics.registerGauge(
    'skillcert_open_filings',
    'Filings under review (application, renewal or change), by stage and province',
    ['stage', 'province'],
    async () =>
      samplesOf(await models.Filing.aggregate<Group>([{ $match: OPEN_FILING }, groupBy(['stage', 'province'], { stage: '$stage', province: '$province' })]), [
        'stage',
        'province',
      ]),
  );

  // the same reading of "overdue" as GET /filings?overdue=true and the inbox: the current step's due instant has passed
  metrics.registerGauge(
    'skillcert_overdue_steps',
    'Filings and batches whose current step is past its due instant, by province and kind (filing, batch)',
    ['province', 'kind'],
    async () => {
      const now = await clock.now();
      const overdue = (ended: readonly string[]) => ({ $match: { dueAt: { $lt: now }, status: { $nin: ended } } });
      const byProvince = groupBy(['province'], { province: '$province' });
      const [filings, batches] = await Promise.all([
        models.Filing.aggregate<Group>([overdue(TERMINAL_STATUSES), byProvince]),
        models.Batch.aggregate<Group>([overdue(BATCH_ENDED), byProvince]),
      ]);
      return [
        ...samplesOf(filings, ['province']).map((s) => ({ ...s, labels: { ...s.labels, kind: 'filing' } })),
        ...samplesOf(batches, ['province']).map((s) => ({ ...s, labels: { ...s.labels, kind: 'batch' } })),
      ];
    },
  );

  metrics.registerGauge('skillcert_batches', 'Assessment batches by status and province', ['status', 'province'], async () =>
    samplesOf(await models.Batch.aggregate<Group>([groupBy(['status', 'province'], { status: '$status', province: '$province' })]), ['status', 'province']),
  );

  // from the batches' read model (each certified batch counts its certificates), not by scanning
  // the certificates collection, which grows by every holder
  metrics.registerGauge(
    'skillcert_certificates_issued',
    'Certificates issued (revoked ones included), by province of the issuing institution',
    ['province'],
    async () =>
      samplesOf(
        await models.Batch.aggregate<Group>([{ $match: { certificates: { $gt: 0 } } }, groupBy(['province'], { province: '$province' }, '$certificates')]),
        ['province'],
      ),
  );
}
