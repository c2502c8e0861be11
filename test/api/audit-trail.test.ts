/**
 * The audit trail of state-changing requests no workflow records (issue "Access control…",
 * part 3): registry registrations and calendar loads append who, role, action, target, time,
 * before → after and the request id (api/audit.ts); refused requests append nothing; the trail
 * cannot be changed through the models (the schema guard, on the real database).
 */
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { AppendOnlyViolation } from '../../models/records';

describe('audit trail of registry and calendar requests', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  let prov: string;
  let prov21: string;
  let admin: string;
  const entries = (targetId: string) => s.services.models.Audit.find({ targetId }).sort({ at: 1, _id: 1 }).lean();

  beforeAll(async () => {
    s = await devStack();
    api = http(s.app);
    prov = await s.token({ sub: 'prov-1', name: '省厅审核员', role: 'province-reviewer', province: '22' });
    prov21 = await s.token({ sub: 'prov-21', name: '辽宁审核员', role: 'province-reviewer', province: '21' });
    admin = await s.token({ sub: 'admin-1', name: '管理员', role: 'admin' });
  });
  afterAll(async () => s?.close());

  it('a registration records who, role, action, target, time, before → after (masked) and the request id', async () => {
    const id = idNumber(801);
    const r = await api.call('POST', '/api/v1/experts', {
      token: prov,
      body: { userId: 'aud-expert', name: '审计专家', idNumber: id, province: '22' },
      headers: { 'x-request-id': 'req-audit-1' },
    });
    expect(r.status).toBe(201);
    const [e] = await entries('aud-expert');
    expect(e).toMatchObject({
      targetType: 'expert',
      targetId: 'aud-expert',
      actor: 'prov-1',
      actorName: '省厅审核员',
      role: 'province-reviewer',
      action: 'registry.register-expert',
      requestId: 'req-audit-1',
      before: null,
      after: { userId: 'aud-expert', name: '审计专家', province: '22', active: true },
    });
    expect(e.at).toBeInstanceOf(Date);
    expect(Math.abs(e.at.getTime() - Date.now())).toBeLessThan(60_000);
    // no full ID number in the trail
    expect(JSON.stringify(e)).not.toContain(id);
    expect((e.after as { idNumber: string }).idNumber).toMatch(/\*{4}/);
  });

  it('a change records the previous entry as before; registering again is refused and records nothing', async () => {
    expect((await api.post('/api/v1/experts', { userId: 'aud-expert', name: '又一个', idNumber: idNumber(801), province: '22' }, admin)).status).toBe(409);
    const r = await api.put(
      '/api/v1/experts/aud-expert',
      { name: '审计专家（改）', idNumber: idNumber(801), province: '22', occupations: ['6-18-01-01'] },
      admin,
    );
    expect(r.status).toBe(200);
    const list = await entries('aud-expert');
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({
      actor: 'admin-1',
      role: 'admin',
      action: 'registry.update-expert',
      before: { name: '审计专家' },
      after: { name: '审计专家（改）', occupations: ['6-18-01-01'] },
    });
    expect(list[1].requestId).toEqual(expect.any(String));
    expect(list[1].requestId).not.toBe(list[0].requestId);
  });

  it('supervisors too', async () => {
    expect(
      (await api.post('/api/v1/supervisors', { userId: 'aud-sup', name: '审计督导', idNumber: idNumber(802), province: '22', prefecture: '220100' }, prov))
        .status,
    ).toBe(201);
    expect(await entries('aud-sup')).toEqual([expect.objectContaining({ targetType: 'supervisor', action: 'registry.register-supervisor', before: null })]);
  });

  it('a calendar load records the lists before and after', async () => {
    const first = await api.put('/api/v1/calendar/years/2098', { holidays: ['2098-01-01'], workdays: [] }, admin);
    expect(first.status).toBe(200);
    const second = await api.put('/api/v1/calendar/years/2098', { holidays: ['2098-01-01', '2098-05-01'], workdays: ['2098-02-22'] }, admin);
    expect(second.status).toBe(200);
    const list = await entries('2098');
    expect(list).toEqual([
      expect.objectContaining({
        targetType: 'calendar-year',
        action: 'calendar.load',
        actor: 'admin-1',
        role: 'admin',
        before: null,
        after: { holidays: ['2098-01-01'], workdays: [] },
      }),
      expect.objectContaining({
        before: { holidays: ['2098-01-01'], workdays: [] },
        after: { holidays: ['2098-01-01', '2098-05-01'], workdays: ['2098-02-22'] },
      }),
    ]);
  });

  it('refused requests append nothing', async () => {
    const before = await s.services.models.Audit.countDocuments({});
    expect((await api.post('/api/v1/experts', { userId: 'aud-refused', name: 'x', idNumber: idNumber(803), province: '22' }, prov21)).status).toBe(403);
    expect((await api.post('/api/v1/experts', { userId: 'aud-refused', name: 'x', idNumber: '123', province: '22' }, prov)).status).toBe(400);
    expect((await api.post('/api/v1/experts', { userId: 'aud-refused', name: 'x', idNumber: idNumber(803), province: '22' })).status).toBe(401);
    expect((await api.put('/api/v1/calendar/years/2097', { holidays: ['2096-01-01'], workdays: [] }, admin)).status).toBe(422);
    expect(await s.services.models.Audit.countDocuments({})).toBe(before);
  });

  it('the trail cannot be changed through the model, on the real database', async () => {
    const { Audit } = s.services.models;
    const [e] = await entries('aud-sup');
    await expect(Audit.updateOne({ _id: e._id }, { $set: { actor: 'someone-else' } })).rejects.toBeInstanceOf(AppendOnlyViolation);
    await expect(Audit.deleteMany({ targetId: 'aud-sup' })).rejects.toBeInstanceOf(AppendOnlyViolation);
    await expect(Audit.findByIdAndDelete(e._id)).rejects.toBeInstanceOf(AppendOnlyViolation);
    expect(await entries('aud-sup')).toEqual([e]);
  });

  it("a filing's audit shows the filing's entries only, whatever else shares its id", async () => {
    const a = application({ province: '22', prefecture: '220100' });
    const inst = await s.token({ role: 'institution', province: '22', institutionId: a.institution.creditCode });
    const f = await api.post('/api/v1/filings', a, inst);
    expect(f.status).toBe(201);
    // a registrant whose user id happens to equal the filing id
    expect((await api.post('/api/v1/experts', { userId: f.body.id, name: '同名', idNumber: idNumber(804), province: '22' }, prov)).status).toBe(201);
    const audit = await api.get(`/api/v1/filings/${f.body.id}/audit`, prov);
    expect(audit.status).toBe(200);
    const items: { targetType: string; action: string }[] = audit.body.items;
    expect(items.map((i) => i.action)).toContain('filing.submit');
    expect(items.filter((i) => i.targetType !== 'filing' || i.action.startsWith('registry.'))).toEqual([]);
    expect(await s.services.models.Audit.countDocuments({ targetId: f.body.id, targetType: 'expert' })).toBe(1);
  });
});
