/**
 * Activities: every side effect a workflow needs (database writes, calendar arithmetic, calls to
 * other workflows). Built once per worker from its dependencies; each is idempotent, so a retry
 * after a crash writes nothing twice.
 */
import type { Client } from '@temporalio/client';
import type { Models } from '../models';
import { CalendarStore } from '../infra/calendar-store';
import { createCalendarActivities } from './calendar';
import { createRecordActivities } from './records';
import { createAllocateActivities } from './allocate';
import { createBatchActivities } from './batch';
import { createCertificateActivities } from './certificates';
import { createArchiveActivities } from './archive';
import { createComplaintActivities } from './complaints';
import { createInspectionActivities } from './inspections';
import { createRecognitionActivities } from './recognitions';

export interface ActivityDeps {
  models: Models;
  client: Client;
  taskQueue: string;
  /** mail is on (SMTP_URL set): mailed notifications are queued in the outbox for the mail sender */
  mail?: boolean;
}

export function createActivities(deps: ActivityDeps) {
  const calendars = new CalendarStore(deps.models);
  return {
    ...createCalendarActivities(calendars),
    ...createRecordActivities(deps.models, { mail: deps.mail }),
    ...createAllocateActivities(deps.client, deps.taskQueue),
    ...createBatchActivities(deps),
    ...createCertificateActivities(deps),
    ...createArchiveActivities(deps),
    ...createComplaintActivities(deps.models, { mail: deps.mail }),
    ...createInspectionActivities(deps),
    ...createRecognitionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
