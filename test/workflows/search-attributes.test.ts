/**
 * Search attributes (issue #14): every case keeps Kind, Province, Prefecture, Stage, Status and
 * DueAt current, with no personal data, so operators find cases with `temporal workflow list
 * --query` — on the time-skipping server (describe) and on the dev server's SQL visibility (list).
 */
import type { Client } from '@temporalio/client';
import { filing } from '../../workflows/filing/workflow';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { SEARCH_ATTRIBUTE_KEYS as K } from '../../workflows/shared/search-attributes';
import { policyForProvince } from '../../domain/filing-policy';
import { actors, application } from '../fixtures/filing';
import { filingBed, Flow, type FilingBed } from '../harness/filing-env';
import { devStack, stackInfo, timeSkippingAddress, uniqueName, type DevStack } from '../harness/stack';
import { registerSearchAttributes } from '../../infra/search-attributes';
import { describeOnce } from '../harness/start-dates';

jest.setTimeout(120_000);

const indexOf = async (client: Client, workflowId: string) => {
  const d = await client.workflow.getHandle(workflowId).describe();
  const t = d.typedSearchAttributes;
  return {
    Kind: t.get(K.Kind),
    Province: t.get(K.Province),
    Prefecture: t.get(K.Prefecture),
    Stage: t.get(K.Stage),
    Status: t.get(K.Status),
    DueAt: t.get(K.DueAt)?.toISOString(),
  };
};

describeOnce('search attributes of a filing', () => {
  let bed: FilingBed;
  beforeAll(async () => {
    bed = await filingBed();
    await bed.begin();
  });
  afterAll(async () => bed?.close());
  afterEach(async () => bed.cleanup());

  it('follow the filing from stage to stage, with its due instant and nothing personal', async () => {
    const f = await Flow.start(bed, application());
    expect(await indexOf(bed.env.client, f.h.workflowId)).toMatchObject({
      Kind: 'filing',
      Province: '22',
      Prefecture: '220100',
      Stage: 'submitted',
      Status: 'in-review',
    });
    const s = await f.assign('preliminary-review', [f.a.expertA]);
    const index = await indexOf(bed.env.client, f.h.workflowId);
    expect(index).toEqual({
      Kind: 'filing',
      Province: '22',
      Prefecture: '220100',
      Stage: 'preliminary-review',
      Status: 'in-review',
      DueAt: new Date(s.due!.dueAtMs).toISOString(),
    });
    const raw = JSON.stringify((await f.h.describe()).raw.workflowExecutionInfo?.searchAttributes);
    expect(raw).toContain('Stage');
    for (const personal of [f.app.institution.name, f.app.institution.legalRepresentative, f.app.institution.contact.phone])
      expect(raw).not.toContain(personal);
  });
});

describeOnce('registration', () => {
  it('registering again adds nothing and fails nowhere (each worker checks at start; the time-skipping server cannot list them)', async () => {
    await expect(registerSearchAttributes(timeSkippingAddress())).resolves.toEqual([]);
    await expect(registerSearchAttributes(stackInfo().devAddress)).resolves.toEqual([]);
  });
});

describeOnce('operators find cases on the dev server with temporal workflow list --query', () => {
  let s: DevStack;
  beforeAll(async () => {
    s = await devStack();
  });
  afterAll(async () => s?.close());

  it('Kind, Province, Stage and Status select the filing', async () => {
    const app = application();
    const client = s.services.temporal.client;
    const filingId = uniqueName('F');
    const h = await client.workflow.start(filing, {
      taskQueue: s.settings.TEMPORAL_TASK_QUEUE,
      workflowId: filingWorkflowId(filingId),
      args: [{ filingId, application: app, policy: policyForProvince(app.institution.province), submittedBy: actors(app).institution }],
    });
    const query = `Kind = "filing" AND Province = "22" AND Stage = "submitted" AND \`Status\` = "in-review" AND WorkflowId = "${h.workflowId}"`;
    let found: string[] = [];
    for (let i = 0; i < 100 && !found.length; i++) {
      found = [];
      for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
      if (!found.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toEqual([h.workflowId]);
    let none = 0;
    for await (const _ of client.workflow.list({ query: `Kind = "batch" AND WorkflowId = "${h.workflowId}"` })) none++;
    expect(none).toBe(0);
    await h.terminate('test over');
  });
});
