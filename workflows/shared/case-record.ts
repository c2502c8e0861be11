/**
 * The bookkeeping every case keeps, filings and batches alike: entries of its history, the audit
 * trail (who, role, action, before → after, request id), notifications, and the one activity per
 * transition that writes them with the read model (recordFiling / recordBatch).
 *
 * Audit entries and notifications gather until the next `flush`, so one transition is one write;
 * each flush also brings the case's search attributes up to date (./search-attributes.ts).
 */
import type { AuditDraft, NotificationDraft } from '../../activities/records';
import type { Actor, Audience } from '../../domain/filing';
import { isoChina } from '../../domain/dates';
import { workflowNow } from '../time';
import type { Envelope } from './messages';
import type { CaseIndex } from '../../domain/search-attributes';
import { CaseIndexer } from './search-attributes';

/** The system itself, as the actor of timers and transitions nobody asked for. */
export const SYSTEM: Actor = { sub: 'system', name: '系统', role: 'admin' };
/** A case keeps its last 300 history entries (the audit trail keeps everything). */
export const HISTORY_LIMIT = 300;

export interface StatusAndStage {
  status: string | null;
  stage: string | null;
}

/** What a case tells its record: where it stands, how its history entries look, how it is written. */
export interface CaseBook<Entry, Write> {
  snapshot(): StatusAndStage;
  history(): Entry[];
  entry(at: string, event: string, by?: string, note?: string): Entry;
  write(drafts: { audit: AuditDraft[]; notifications: NotificationDraft[] }, extra?: Write): Promise<void>;
  /** what Temporal indexes about the case (domain/search-attributes.ts), null before it has a state */
  index(): CaseIndex | null;
}

export class CaseRecord<Entry, Write = undefined> {
  private readonly audits: AuditDraft[] = [];
  private readonly notes: NotificationDraft[] = [];

  private readonly indexer: CaseIndexer;

  constructor(private readonly book: CaseBook<Entry, Write>) {
    this.indexer = new CaseIndexer(() => book.index());
  }

  /** Status and stage now: the `before` of an audit entry. */
  snapshot(): StatusAndStage {
    return this.book.snapshot();
  }

  /** A history entry (the case keeps the last HISTORY_LIMIT). */
  log(event: string, by?: Actor, note?: string): void {
    const history = this.book.history();
    history.push(this.book.entry(isoChina(workflowNow()), event, by?.sub, note));
    if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
  }

  /** An audit entry: who did `action`, from `before` to where the case stands now. */
  audit(action: string, e: Envelope, before: StatusAndStage, note?: string): void {
    const a = e.actor;
    this.audits.push({
      actor: a.sub,
      actorName: a.name,
      role: a.role,
      action,
      requestId: e.requestId,
      before,
      after: this.snapshot(),
      at: isoChina(workflowNow()),
      note,
    });
  }

  notify(to: Audience, kind: string, message: string): void {
    this.notes.push({ audience: to, kind, message, at: isoChina(workflowNow()) });
  }

  /** Audit entries or notifications wait to be written. */
  get unwritten(): boolean {
    return this.audits.length > 0 || this.notes.length > 0;
  }

  /** One activity per transition: the read model, with the audit entries and notifications gathered since the last. */
  async flush(extra?: Write): Promise<void> {
    // the search attributes follow every transition the read model records
    this.indexer.update();
    await this.book.write({ audit: this.audits.splice(0), notifications: this.notes.splice(0) }, extra);
  }
}
