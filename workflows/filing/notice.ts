/**
 * 备案通知 (004 Art.7(5)): the first notice assigns the institution's sequence code (from the
 * province's allocator) and starts its three years; a renewal notice adds a period consecutive
 * with the last (004 Art.9); a scope change's notice puts the wider scope in force (004 Art.7(1)).
 */
import { chinaDateOf, isoChina } from '../../domain/dates';
import { renewedLastDay, validityLastDay } from '../../domain/filing-dates';
import { noticeNumber } from '../../domain/filing';
import { workflowNow } from '../time';
import { acts, institutionOf, type FilingCase } from './context';
import type { DecideInput } from './messages';

export async function issueNotice(c: FilingCase, d: DecideInput): Promise<void> {
  const { state, record } = c;
  const now = workflowNow();
  const today = chinaDateOf(now);
  const inst = state.application.institution;
  if (state.track === 'renewal' && state.notice) {
    state.notice = {
      ...state.notice,
      validUntil: renewedLastDay(state.notice.validUntil, state.policy.validityYears),
      renewals: state.notice.renewals + 1,
      issuedAt: isoChina(now),
      number: noticeNumber(inst.province, today, state.notice.sequence, { renewal: state.notice.renewals + 1 }),
    };
    state.renewal = null;
    state.reminders = null;
    record.log('renewed', d.actor, `valid until ${state.notice.validUntil}`);
    return;
  }
  if (state.track === 'scope-change' && state.notice) {
    // the validity does not change
    const changes = (state.notice.changes ?? 0) + 1;
    state.notice = {
      ...state.notice,
      issuedAt: isoChina(now),
      changes,
      number: noticeNumber(inst.province, today, state.notice.sequence, { change: changes }),
    };
    applyChange(c);
    record.log('scope-notice-issued', d.actor, state.notice.number);
    record.notify(institutionOf(c), 'notice', `变更备案通知：${state.notice.number}，新增职业（工种）/等级已纳入备案范围`);
    return;
  }
  const { value } = await acts.allocate({
    workflowId: `sequence/${inst.province}`,
    key: inst.province,
    count: 1,
    max: 999_999,
    requestId: `${state.id}:notice`,
  });
  const sequence = String(value).padStart(6, '0');
  state.notice = {
    number: noticeNumber(inst.province, today, sequence),
    sequence,
    institutionCode: `${inst.kind}0000${inst.province}${sequence}`,
    issuedAt: isoChina(now),
    firstIssuedAt: isoChina(now),
    validUntil: validityLastDay(today, state.policy.validityYears),
    renewals: 0,
  };
  state.status = 'active';
  record.log('notice-issued', d.actor, state.notice.number);
  record.notify(institutionOf(c), 'notice', `备案通知：${state.notice.number}，有效期至 ${state.notice.validUntil}`);
}

/** A change takes effect (004 Art.8): address, legal representative, venues, occupations. */
export function applyChange(c: FilingCase): void {
  const { state } = c;
  const change = state.change;
  if (!change) return;
  const i = state.application.institution;
  if (change.address) i.address = change.address;
  if (change.legalRepresentative) i.legalRepresentative = change.legalRepresentative;
  if (change.venues) state.application.venues = change.venues;
  if (change.occupations) state.application.occupations = change.occupations;
  c.record.log('scope-updated', undefined);
}
