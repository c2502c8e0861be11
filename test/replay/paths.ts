/**
 * The lifecycle paths the replay set covers (issue #14), each recorded from the workflow test that
 * drives it: `npm run record-histories -- --release <version>` runs these tests with recording on
 * (test/harness/record.ts) and keeps, per path, the histories of the workflows its test started.
 */
export interface LifecyclePath {
  /** folder under test/replay/histories/<release>/ */
  path: string;
  /** the test file that drives it (under test/) */
  file: string;
  /** a part of the test's full name (describe + it) */
  test: string;
  /** which workflow types to keep (default: filing, batch, certificateRevocation) */
  types?: string[];
}

const FILING = ['filing'];

export const LIFECYCLE_PATHS: LifecyclePath[] = [
  { path: 'filing/happy-path', file: 'workflows/filing-review.test.ts', test: 'happy path: 申报', types: ['filing', 'allocator'] },
  { path: 'filing/supplement', file: 'workflows/filing-review.test.ts', test: '补正 twice, then pass', types: FILING },
  { path: 'filing/shanxi-prefecture', file: 'workflows/filing-review.test.ts', test: 'Shanxi 2020 (忻州)', types: FILING },
  { path: 'filing/objection-upheld', file: 'workflows/filing-publicity.test.ts', test: 'an upheld objection rejects the filing', types: FILING },
  { path: 'filing/objection-upheld-return', file: 'workflows/filing-publicity.test.ts', test: 'an upheld objection with returnTo', types: FILING },
  { path: 'filing/objection-dismissed', file: 'workflows/filing-publicity.test.ts', test: 'a dismissed objection: the publicity stays open', types: FILING },
  {
    path: 'filing/escalation',
    file: 'workflows/filing-deadlines.test.ts',
    test: 'escalates an overdue stage to the superior at its due date, then to the province',
    types: FILING,
  },
  { path: 'filing/expiry', file: 'workflows/filing-deadlines.test.ts', test: 'no renewal: reminders', types: FILING },
  { path: 'filing/renewal-on-time', file: 'workflows/filing-lifecycle.test.ts', test: 'renewal in time', types: FILING },
  { path: 'filing/renewal-late', file: 'workflows/filing-lifecycle.test.ts', test: 'renewal late', types: FILING },
  { path: 'filing/change-without-new-occupations', file: 'workflows/filing-lifecycle.test.ts', test: 'change with re-assessment', types: FILING },
  {
    path: 'filing/change-with-new-occupations',
    file: 'workflows/filing-rules.test.ts',
    test: 'a change that adds an occupation goes through 申报 again',
    types: FILING,
  },
  { path: 'filing/termination-voluntary', file: 'workflows/filing-lifecycle.test.ts', test: 'voluntary termination', types: FILING },
  { path: 'filing/termination-ordered', file: 'workflows/filing-lifecycle.test.ts', test: 'ordered termination by the province', types: FILING },
  { path: 'filing/idle-exit', file: 'workflows/filing-rules.test.ts', test: 'a Shanxi filing is withdrawn two years after the last exam day', types: FILING },
  {
    path: 'batch/suspension-objection-return-certificates',
    file: 'workflows/batch-flow.test.ts',
    test: 'plan review, supervision with a suspension, an upheld objection',
    types: ['batch'],
  },
  { path: 'batch/cancellation', file: 'workflows/batch-flow.test.ts', test: 'a suspended batch the center cancels ends cancelled', types: ['batch'] },
  {
    path: 'batch/filing-terminated',
    file: 'workflows/batch-rules.test.ts',
    test: 'termination ends every unfinished batch at once',
    types: ['batch', 'filing'],
  },
  // the revocation test revokes a certificate of the batch the test before it issued (with a retried issuing activity)
  {
    path: 'batch/issuing-retried',
    file: 'workflows/batch-certificates.test.ts',
    test: "the batch workflow's issuing activity fails after reserving",
    types: ['batch'],
  },
  {
    path: 'certificate/revocation',
    file: 'workflows/batch-certificates.test.ts',
    test: 'revocation: by the issuing institution or the provincial department',
    types: ['certificateRevocation'],
  },
  { path: 'allocator/serials', file: 'workflows/batch-certificates.test.ts', test: '20 batches of one institution, year and level', types: ['allocator'] },
  // 0.5.0: the workflow types added since 0.4.0; the API tests record what their devStack started
  {
    path: 'certificate/correction',
    file: 'api/certificates.test.ts',
    test: 'a correction: requested by the issuer, reviewed by the center in scope',
    types: ['certificateCorrection'],
  },
  // two reissues racing an approved correction on one certificate (the test is independent of the ones before it)
  { path: 'certificate/reissue', file: 'api/certificates.test.ts', test: 'writes to one certificate run one at a time', types: ['certificateAmendment'] },
  { path: 'complaint/escalated-upheld', file: 'api/complaints.test.ts', test: 'files, tracks, reminds, escalates, is decided upheld', types: ['complaint'] },
  {
    path: 'inspection/draw-findings-orders',
    file: 'workflows/inspections.test.ts',
    test: 'no order leaves the batch; suspend-batches suspends it',
    types: ['inspectionDraw'],
  },
  { path: 'recognition/issue', file: 'api/recognitions.test.ts', test: 'issues the certificate under the province’s code', types: ['recognition'] },
  { path: 'archive/retention', file: 'workflows/archive-retention.test.ts', test: 'reminds before each end of keeping', types: ['archiveRetention'] },
];
