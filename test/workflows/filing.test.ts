import { assignExpertsUpdate, decideUpdate } from '../../workflows/filing/messages';
import { application, actors } from '../fixtures/filing';
import { filingBed, type FilingBed } from '../harness/filing-env';

describe('filing workflow on the time-skipping server', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
  });
  afterAll(async () => bed?.close());

  it('happy path: 申报 → 初评 → 技术评估 → 综合汇总 → 审议 → 公示 → 备案通知', async () => {
    const app = application();
    const a = actors(app);
    const h = await bed.start(app, a.institution);
    let s = await bed.state(h);
    expect(s.stage).toBe('submitted');
    s = await h.executeUpdate(assignExpertsUpdate, { args: [{ stage: 'preliminary-review', experts: [{ userId: a.expertA.sub, name: a.expertA.name }], actor: a.prefectureReviewer }] });
    expect(s.stage).toBe('preliminary-review');
    expect(s.due?.dueDate).toBeDefined();
    await h.executeUpdate(assignExpertsUpdate, { args: [{ stage: 'technical-assessment', experts: [{ userId: a.expertB.sub, name: a.expertB.name }], actor: a.prefectureReviewer }] });
    await h.executeUpdate(assignExpertsUpdate, { args: [{ stage: 'comprehensive-review', experts: [{ userId: a.expertC.sub, name: a.expertC.name }], actor: a.prefectureReviewer }] });
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'preliminary-review', outcome: 'pass', opinion: '材料齐全', actor: a.expertA }] });
    expect(s.stage).toBe('technical-assessment');
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'technical-assessment', outcome: 'pass', opinion: '现场评估合格', score: 86, actor: a.expertB }] });
    expect(s.stage).toBe('comprehensive-review');
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'comprehensive-review', outcome: 'pass', opinion: '综合评估合格', actor: a.expertC }] });
    expect(s.stage).toBe('deliberation');
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'deliberation', outcome: 'pass', opinion: '审议通过', actor: a.prefectureReviewer }] });
    expect(s.stage).toBe('publicity');
    expect(s.publicity?.endDate).toBeDefined();
    await bed.skip(8 * 86_400_000);
    s = await bed.state(h);
    expect(s.stage).toBe('notice');
    s = await h.executeUpdate(decideUpdate, { args: [{ stage: 'notice', outcome: 'pass', opinion: '准予备案', actor: a.provinceReviewer }] });
    expect(s.status).toBe('active');
    expect(s.notice?.sequence).toMatch(/^\d{6}$/);
    const dir = await bed.models.Directory.findById(app.institution.creditCode).lean();
    expect(dir?.institutionCode).toBe(s.notice!.institutionCode);
  });
});
