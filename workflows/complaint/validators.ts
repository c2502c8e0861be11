/** The complaint's Updates, checked by the domain's rule (domain/complaints.ts) before anything enters history. */
import { complaintDecisionRefusal } from '../../domain/complaints';
import { refuse } from '../shared/failure';
import type { ComplaintCase, ComplaintWork } from './context';

export function validateWork(c: ComplaintCase, w: ComplaintWork): void {
  switch (w.kind) {
    case 'decide':
      return refuse(complaintDecisionRefusal(c.s, w.input));
  }
}
