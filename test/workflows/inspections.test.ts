/**
 * A random inspection's orders against real batch workflows (双随机、一公开, 000 §六(三), 002
 * Art.25) on the time-skipping server: a filing in force with an open batch, a draw that must pick
 * it (count = every eligible institution), and its three inspectors' serious findings — with no
 * order (the batch is left as it was), with the order to suspend (the batch is suspended, the
 * inspection's report on it), and proposing termination (for the province's reviewers). Each
 * serious finding is one entry in the institution's credit file; the suspension adds none of its own.
 */
import { application } from '../fixtures/filing';
import { candidates, plan, registerSupervisors } from '../fixtures/batch';
import { batchBed, leadDates, type ActiveFiling, type BatchBed } from '../harness/batch-env';
import { addCalendarDays } from '../../domain/dates';
import type { Actor } from '../../domain/filing';
import type { Severity, InspectionOrder } from '../../domain/inspections';
import { drawInspectionsCall, fileFindingCall } from '../../api/inspections';
import { drawIdOfInspection } from '../../workflows/inspection/messages';
import { describeOnce } from '../harness/start-dates';

// an inspection's orders act on a planned batch at once, with no working-day deadline of their own:
// the date matrix (scripts/test-dates.sh) skips this file, which would cost CI four times over
describeOnce('random inspection orders on a real batch', () => {
  let bed: BatchBed;
  let f: ActiveFiling;
  const province: Actor = { sub: 'prov-22', name: '省厅审核员', role: 'province-reviewer', province: '22' };
  const inspector = (sub: string): Actor => ({ sub, name: sub, role: 'supervisor', province: '22' });

  beforeAll(async () => {
    bed = await batchBed();
    await bed.begin();
    f = await bed.activeFiling(application());
    await registerSupervisors(
      bed.models,
      ['insp-a', 'insp-b', 'insp-c'].map((userId) => ({ userId, name: `督导${userId}`, province: '22' })),
    );
  });
  afterEach(async () => bed.cleanup());
  afterAll(async () => bed?.close());

  it('no order leaves the batch; suspend-batches suspends it with the inspection’s report; propose-termination reaches the reviewers; credit entries', async () => {
    const { earliest } = await leadDates(bed);
    const b = await bed.submit(f, plan(f.app, earliest.date, addCalendarDays(earliest.date, 1), candidates(f.app, [4, 4])));
    expect(b.status).toBe('planned');

    const drawn = await drawInspectionsCall(bed.client, bed.taskQueue, 30_000, {
      drawId: 'D2026-wf-1',
      year: 2026,
      count: 1,
      inspectorsPerInspection: 3,
      scope: { province: '22' },
      actor: province,
    });
    const [x] = drawn.inspections;
    expect(x.institution.creditCode).toBe(f.app.institution.creditCode);
    const file = (sub: string, severity: Severity, text: string, order: InspectionOrder | null) =>
      fileFindingCall(bed.client, 30_000, drawIdOfInspection(x.id), { inspectionId: x.id, severity, text, order, actor: inspector(sub) });

    // a serious finding with no order: the batch goes on
    await file('insp-a', 'serious', '考评记录缺失（无处理令）', null);
    expect((await bed.state(b.id)).status).toBe('planned');

    const r = await file('insp-b', 'serious', '考评人员不在备案名单中', 'suspend-batches');
    expect(r.findings[1].suspendedBatches).toEqual([b.id]);
    const s = await bed.state(b.id);
    expect(s.status).toBe('suspended');
    expect(s.suspendedFrom).toBe('planned');
    const report = s.supervision.reports.find((p) => p.inspectionId === x.id)!;
    expect(report).toMatchObject({ by: { userId: 'insp-b' }, severity: 'serious' });
    expect(s.supervision.suspensions.at(-1)).toMatchObject({ reportId: report.id, from: 'planned' });
    expect((await bed.view(b.id)).status).toBe('suspended');

    await file('insp-c', 'serious', '严重违规', 'propose-termination');
    const doc = (await bed.models.Inspection.findById(x.id).lean())!;
    expect(doc).toMatchObject({ outcome: 'serious', measures: ['suspend-batches', 'propose-termination'], proposal: { by: { userId: 'insp-c' } } });
    expect(doc.concludedAt).not.toBeNull();
    expect(await bed.models.Notification.countDocuments({ kind: 'termination-proposal', role: 'province-reviewer', province: '22' })).toBe(1);

    // the credit file: one published entry per serious finding, from the inspection; none from the batch's copy of the report
    const entries = await bed.models.CreditEntry.find({ creditCode: f.app.institution.creditCode }).sort({ _id: 1 }).lean();
    expect(entries.map((e) => [e._id, e.kind, e.published])).toEqual([
      [`inspection:${x.id}:1`, 'inspection-serious', true],
      [`inspection:${x.id}:2`, 'inspection-serious', true],
      [`inspection:${x.id}:3`, 'inspection-serious', true],
    ]);
    expect(entries[1].summary).toContain(b.id);
    expect(entries[2].summary).toContain('建议终止其备案');
    const text = JSON.stringify(entries);
    for (const secret of ['考评记录缺失', '考评人员不在备案名单中', '严重违规', 'insp-', '督导']) expect(text).not.toContain(secret);
  });
});
