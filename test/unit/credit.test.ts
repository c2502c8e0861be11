/** The credit file's rules (domain/credit.ts): what is published, the deciding body, no complainant in a summary. */
import { complaintCreditEntry, revocationCreditEntry, withoutComplainant } from '../../domain/credit';
import { complaintDecisionRefusal } from '../../domain/complaints';

const pref = { sub: 'p', name: 'p', role: 'prefecture-reviewer' as const, province: '22', prefecture: '220100' };
const j = { level: 'prefecture' as const, province: '22', prefecture: '220100' };

describe('credit file', () => {
  it('publishes a revocation by the department, keeps one by the institution itself unpublished', () => {
    const c = { number: 'Y1', creditCode: 'C', institutionName: '某机构', province: '22' };
    const byProvince = revocationCreditEntry(c, { reason: '冒名顶替', at: '2041-01-09T10:00:00+08:00', by: { role: 'province-reviewer', province: '22' } });
    const bySelf = revocationCreditEntry(c, { reason: '录入错误', at: '2041-01-09T10:00:00+08:00', by: { role: 'institution' } });
    expect([byProvince.published, byProvince.decidedBy, byProvince._id]).toEqual([true, '吉林省人力资源和社会保障厅', 'revocation:Y1']);
    expect([bySelf.published, bySelf.decidedBy]).toEqual([false, '某机构']);
  });

  it('an upheld complaint names the deciding bureau and its date, never the complainant', () => {
    const e = complaintCreditEntry(
      { id: 'cp-1', subject: { type: 'batch', id: 'B1' }, institution: { creditCode: 'C' }, jurisdiction: j },
      { note: '王某（13700001111）反映属实', by: pref, at: '2041-01-31T23:30:00+08:00' },
      { name: '王某', contact: '13700001111' },
    );
    expect(e).toMatchObject({ _id: 'complaint:cp-1', kind: 'complaint-upheld', date: '2041-01-31', decidedBy: '长春市人力资源和社会保障局', published: true });
    expect(e.summary).not.toMatch(/王某|13700001111/);
    expect(withoutComplainant('无关', null)).toBe('无关');
  });

  it('a complaint is decided once, by a reviewer of its jurisdiction or its province', () => {
    const open = { id: 'cp-1', status: 'open' as const, jurisdiction: j };
    expect(complaintDecisionRefusal(open, { actor: pref, upheld: true, note: '属实' })).toBeNull();
    expect(complaintDecisionRefusal(open, { actor: { ...pref, prefecture: '220200' }, upheld: true, note: '属实' })?.code).toBe('FORBIDDEN');
    expect(
      complaintDecisionRefusal(open, { actor: { sub: 'v', name: 'v', role: 'province-reviewer', province: '22' }, upheld: false, note: '不实' }),
    ).toBeNull();
    expect(complaintDecisionRefusal({ ...open, status: 'upheld' }, { actor: pref, upheld: true, note: '属实' })?.code).toBe('ALREADY_DECIDED');
  });
});
