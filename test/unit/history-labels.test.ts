/**
 * Every event a workflow can write into a case's history has a Chinese label, and the notes the
 * workflows write in code and English read in Chinese (domain/labels.ts, the one vocabulary).
 *
 * The events are found in the workflow sources: every `record.log(…)` call's first argument. A
 * string literal is an event as it stands; an event built from a template or a variable is listed
 * below with the values it can take, so a new kind of call fails here until it is listed and labelled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_EVENT_LABELS, COMPLAINT_EVENT_LABELS, FILING_EVENT_LABELS, endReasonText, historyNoteText } from '../../domain/labels';
import { TERMINAL_STATUSES } from '../../domain/filing';

const ROOT = join(__dirname, '../../workflows');

/** Events computed at run time: the expression as written → every value it can have. */
const COMPUTED: Record<string, string[]> = {
  // workflows/filing/stages.ts: a stage decision's outcome
  'decided:${d.outcome}': ['decided:pass', 'decided:supplement', 'decided:reject'],
  // workflows/filing/tracks.ts: the end of a renewal, change, scope change or termination
  '${track}-${result}': ['renewal', 'change', 'scope-change', 'termination'].flatMap((t) => [`${t}-passed`, `${t}-rejected`]),
  // workflows/batch/supervision.ts: a supervisor's report
  'supervision-report:${i.severity}': ['none', 'minor', 'serious'].map((s) => `supervision-report:${s}`),
};
/** `record.log(status, …)` in workflows/filing/endings.ts and workflows/batch/endings.ts: the status a case ends in. */
const ENDINGS = { filing: [...TERMINAL_STATUSES], batch: ['rejected', 'cancelled'], complaint: ['upheld', 'dismissed'] };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The first argument of each `.log(` call, as written. */
function firstArguments(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\brecord\.log\(/g)) {
    let depth = 0;
    let i = m.index! + m[0].length;
    let arg = '';
    for (; i < text.length; i++) {
      const ch = text[i];
      if (depth === 0 && (ch === ',' || ch === ')')) break;
      if (ch === '(' || ch === '{') depth++;
      if (ch === ')' || ch === '}') depth--;
      arg += ch;
    }
    out.push(arg.trim());
  }
  return out;
}

type Kind = 'filing' | 'batch' | 'complaint';

function recordedEvents(): Record<Kind, Set<string>> & { unknown: string[] } {
  const found = { filing: new Set<string>(), batch: new Set<string>(), complaint: new Set<string>(), unknown: [] as string[] };
  for (const file of sources(ROOT)) {
    const rel = file.slice(ROOT.length + 1);
    if (rel === join('shared', 'case-record.ts')) continue;
    const kinds: Kind[] = rel.startsWith('filing')
      ? ['filing']
      : rel.startsWith('batch')
        ? ['batch']
        : rel.startsWith('complaint')
          ? ['complaint']
          : ['filing', 'batch'];
    for (const arg of firstArguments(readFileSync(file, 'utf8'))) {
      for (const k of kinds) {
        // workflows/complaint/workflow.ts: the outcome a complaint is decided with
        const events =
          k === 'complaint' && arg === 's.status'
            ? ENDINGS.complaint
            : arg.startsWith('`')
              ? COMPUTED[arg.slice(1, -1)]
              : /^[A-Za-z_$][\w$]*$/.test(arg)
                ? arg === 'status'
                  ? ENDINGS[k]
                  : COMPUTED[arg]
                : [...arg.matchAll(/'([^']+)'/g)].map((x) => x[1]);
        if (!events?.length) found.unknown.push(`${rel}: record.log(${arg}, …)`);
        for (const e of events ?? []) found[k].add(e);
      }
    }
  }
  return found;
}

describe('history labels', () => {
  const found = recordedEvents();

  it('finds the events the workflows record (the scan works)', () => {
    expect(found.filing.size).toBeGreaterThan(30);
    expect(found.batch.size).toBeGreaterThan(20);
    expect(found.filing).toContain('publicity-started');
    expect(found.batch).toContain('scores-posted');
    expect(found.batch).toContain('objections-dismissed');
  });

  it('knows every computed event (list a new one in COMPUTED with the values it can take)', () => {
    expect(found.unknown).toEqual([]);
  });

  it('every event a filing can record has a label', () => {
    expect([...found.filing].filter((e) => !FILING_EVENT_LABELS[e])).toEqual([]);
  });

  it('every event a batch can record has a label', () => {
    expect([...found.batch].filter((e) => !BATCH_EVENT_LABELS[e])).toEqual([]);
  });

  it('every event a complaint can record has a label', () => {
    expect(found.complaint.size).toBeGreaterThan(2);
    expect([...found.complaint].filter((e) => !COMPLAINT_EVENT_LABELS[e])).toEqual([]);
  });

  // the notes as the workflows write them (workflows/**: the template of each .log call's note)
  const ENGLISH_NOTES: [kind: 'filing' | 'batch', event: string, note: string, expected: string][] = [
    ['filing', 'stage-entered', 'preliminary-review', '初评'],
    ['filing', 'experts-assigned', 'technical-assessment: 张三、李四', '技术评估：张三、李四'],
    ['filing', 'decided:supplement', 'preliminary-review: 请补充场地证明', '初评：请补充场地证明'],
    ['filing', 'publicity-started', 'until 2041-03-09', '公示至 2041-03-09'],
    ['filing', 'publicity-ended', 'objection upheld', '异议成立'],
    ['filing', 'publicity-closed', '2 objection(s), all dismissed', '收到异议 2 件，均不成立'],
    ['filing', 'objection-received', '1 open', '待处理异议 1 件'],
    ['filing', 'objection-dismissed', 'OBJ-1: 经核查不属实', '异议 OBJ-1：经核查不属实'],
    ['batch', 'objections-dismissed', '3 through #4: 均不成立', '驳回待处理异议 3 件（截至第 4 件）：均不成立'],
    ['filing', 'escalated', 'deliberation → superior', '审议逾期，升级至上级'],
    ['filing', 'escalated', 'deliberation → province', '审议逾期，升级至省级'],
    ['filing', 'deadline-recomputed', 'deliberation: 2041-02-01 → 2041-02-03', '审议期限由 2041-02-01 改为 2041-02-03'],
    ['filing', 'renewal-reminder', 'expires 2044-01-31; on time until 2043-12-01', '有效期至 2044-01-31，按期申请续期截止 2043-12-01'],
    ['filing', 'renewed', 'valid until 2047-01-31', '有效期至 2047-01-31'],
    ['filing', 'exams-held', 'B123456-abc: 2041-05-06', '认定批次 B123456-abc，最后考核日 2041-05-06'],
    ['filing', 'renewal-applied', 'late', '逾期申请'],
    ['filing', 'renewal-applied', 'in time', '按期申请'],
    [
      'filing',
      'change-applied',
      'adds occupations or levels: the whole application path (004 Art.7(1))',
      '增加职业或等级：按备案申请的全部流程办理（004 第七条第（一）项）',
    ],
    ['filing', 'rejected', 'rejected in review', '评估未通过'],
    ['filing', 'expired', 'valid until 2044-01-31; not renewed', '有效期至 2044-01-31，未续期'],
    ['filing', 'terminated', 'voluntary termination', '机构申请终止'],
    ['filing', 'terminated', 'ordered: 严重违规', '责令终止：严重违规'],
    ['filing', 'withdrawn', 'no exam held since 2041-01-05 for 2 years (001 §四(三))', '自 2041-01-05 起连续 2 年未开展认定工作（001 §四（三））'],
    ['batch', 'planned', '30 candidates, exams 2041-03-01 – 2041-03-02', '考生 30 人，考核日期 2041-03-01 至 2041-03-02'],
    ['batch', 'scores-posted', '30 lines', '成绩 30 条'],
    ['batch', 'publicity', 'until 2041-03-20', '公示至 2041-03-20'],
    ['batch', 'results-submitted', 'late', '逾期报送'],
    ['batch', 'reminder', 'results due 2041-04-01', '结果报送应于 2041-04-01 前完成'],
    ['batch', 'escalated', 'scores → level 1', '成绩录入逾期，已升级督办'],
    ['batch', 'escalated', 'results-review → level 2', '结果审核逾期，已升级至省级督办'],
    [
      'batch',
      'deadline-recomputed',
      'results: 2041-04-01 → 2041-04-03; publicity: 2041-03-20 → 2041-03-21',
      '结果报送期限由 2041-04-01 改为 2041-04-03；结果公示期限由 2041-03-20 改为 2041-03-21',
    ],
    ['batch', 'certified', '28 certificates issued', '核发证书 28 本'],
    ['batch', 'filing-not-notified', 'Workflow execution already completed', '系统未能送达，将由管理员处理'],
  ];

  it.each(ENGLISH_NOTES)('%s %s: "%s" reads in Chinese', (kind, event, note, expected) => {
    expect(historyNoteText(kind, event, note)).toBe(expected);
  });

  it('free text a person wrote passes unchanged, and an ending reason reads in Chinese', () => {
    expect(historyNoteText('batch', 'acknowledged', '同意：rev. 2 of the plan')).toBe('同意：rev. 2 of the plan');
    expect(historyNoteText('batch', 'cancelled', '督导发现严重问题，鉴定中心终止认定批次：作弊')).toBe('督导发现严重问题，鉴定中心终止认定批次：作弊');
    expect(historyNoteText('filing', 'submitted', undefined)).toBe('');
    expect(endReasonText('12 certificates issued')).toBe('核发证书 12 本');
  });
});
