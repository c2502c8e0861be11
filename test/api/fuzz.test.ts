/**
 * Hostile input (issue "Access control…", part 5).
 *
 * 1. Property-based fuzzing with fast-check, data-driven from the OpenAPI document (/docs/json):
 *    for every path and method, bodies, path parameters and query strings are generated from the
 *    route's schema and then broken: malformed JSON, wrong types, huge strings, odd unicode (lone
 *    surrogates, RTL marks, NUL), negative / overflowing / fractional numbers, `__proto__` and
 *    `constructor` keys, unknown fields, other content types. Every request that changes
 *    something is made invalid on purpose (so it must be refused), and is sent with a token of a
 *    role that passes authorization, so validation is what answers. Each answer must be a 4xx
 *    problem document (application/problem+json with a code), never a 5xx; reads may answer
 *    2xx for odd but valid queries, never 5xx. Stored state (every collection) is the same
 *    afterwards, no prototype is polluted, and the server still answers /health.
 * 2. Limits and headers: 413 for bodies over 1 MiB, 429 RATE_LIMITED on public routes, helmet's
 *    headers (and a CSP under which Swagger UI works), the CORS allow-list, malformed HTTP on a
 *    real socket.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { buildApp } from '../../app';
import { ACTIONS, isAction, type Action } from '../../domain/access';
import type { Caller, Role } from '../../domain/roles';
import type { Services } from '../../infra/services';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: unknown;
  pattern?: string;
};
interface Operation {
  parameters?: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}
interface RouteUnderTest {
  method: string;
  path: string;
  op: Operation;
  action?: Action;
}

const ORIGIN = 'https://portal.example.gov.cn';
/** FUZZ_RUNS_FACTOR=10 for a longer local run; FUZZ_SEED to replay one */
const RUNS_FACTOR = Number(process.env.FUZZ_RUNS_FACTOR ?? 1);
if (process.env.FUZZ_SEED) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });
const X = application({ province: '22', prefecture: '220100', staffIdNumbers: [idNumber(901)] });

/** claims of a caller of each role, in scope of the fixtures */
const CLAIMS: Record<Role, Omit<Caller, 'name'>> = {
  institution: { sub: 'fz-inst', role: 'institution', province: '22', institutionId: X.institution.creditCode },
  'prefecture-reviewer': { sub: 'fz-pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' },
  'province-reviewer': { sub: 'fz-prov', role: 'province-reviewer', province: '22' },
  expert: { sub: 'expert-a', role: 'expert', province: '22' },
  center: { sub: 'fz-center', role: 'center', province: '22', prefecture: '220100' },
  supervisor: { sub: 'fz-sup', role: 'supervisor', province: '22', prefecture: '220100' },
  admin: { sub: 'fz-admin', role: 'admin' },
};

/** bodies that pass validation, where a generic one from the schema would not; the fuzzer breaks them */
const SAMPLE_BODIES: Record<string, unknown> = {
  'post /api/v1/filings': X,
  'post /api/v1/filings/{id}/assignments': { stage: 'preliminary-review', expertIds: ['expert-a'] },
  'post /api/v1/filings/{id}/decisions': { stage: 'preliminary-review', outcome: 'pass', opinion: '同意' },
  'post /api/v1/filings/{id}/supplements': { materials: [{ kind: 'emergency-plan', title: '应急预案.pdf' }] },
  'post /api/v1/filings/{id}/objections': { name: '张三', contact: '13800000000', reason: '场地不符' },
  'post /api/v1/filings/{id}/objections/{objectionId}/resolution': { upheld: false, note: '不成立' },
  'post /api/v1/filings/{id}/renewal': { note: '续期' },
  'post /api/v1/filings/{id}/changes': { address: '新地址1号' },
  'post /api/v1/filings/{id}/termination': { reason: '停止' },
  'post /api/v1/experts': { userId: 'fz-expert', name: '模糊专家', idNumber: idNumber(902), province: '22' },
  'post /api/v1/supervisors': { userId: 'fz-sup', name: '模糊督导', idNumber: idNumber(903), province: '22' },
  'put /api/v1/calendar/years/{year}': { holidays: ['2099-01-01'], workdays: [] },
  'post /api/v1/admin/clock/advance': { by: 'P1D' },
  'post /api/v1/batches': {
    filingId: 'FL22-x',
    firstExamDate: '2031-01-20',
    lastExamDate: '2031-01-21',
    venues: [{ name: '实训楼', address: '长春' }],
    modules: [{ kind: 'theory', passMark: 60 }, { kind: 'skill' }],
    proctors: [{ name: '监考' }],
    examiners: [{ name: '考评员' }],
    supervisors: [],
    candidates: [
      {
        name: '考生',
        idNumber: idNumber(904),
        sex: 'M',
        post: '车工',
        yearsInPost: 3,
        occupationCode: '6-18-01-01',
        level: 4,
        employerCreditCode: X.institution.creditCode,
      },
    ],
  },
  'post /api/v1/batches/{id}/supervision': { action: 'report', severity: 'none', findings: '规范' },
  'post /api/v1/batches/{id}/scores': { scores: [{ idNumber: idNumber(904), theory: 80, skill: 70 }] },
  'post /api/v1/batches/{id}/objections': { name: '路人', contact: '13800000000', reason: '成绩有误' },
  'post /api/v1/batches/{id}/objections/{objectionId}/resolution': { upheld: false, note: '不成立' },
  'post /api/v1/batches/{id}/results': { note: '结果' },
  'post /api/v1/batches/{id}/decisions': { stage: 'plan-review', outcome: 'pass', opinion: '已收悉' },
  'post /api/v1/certificates/{number}/revocation': { reason: '撤销' },
  'post /api/v1/certificates/{number}/corrections': { field: 'trade', value: '数控车工', reason: '工种名称录入错误' },
  'post /api/v1/certificates/{number}/corrections/{correctionId}/decision': { outcome: 'pass', opinion: '同意更正' },
  'post /api/v1/certificates/{number}/reissue': { reason: '证书遗失' },
};

/** A value that fits a schema as far as a generic walk can tell (examples, enums, bounds). */
function sampleOf(s: JsonSchema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return 'x';
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return sampleOf(alt[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, sampleOf(s.properties?.[k], depth + 1)]));
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 0) }, () => sampleOf(s.items, depth + 1));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

/** Every property path in a body schema (arrays through their first item), with its schema. */
function fieldPaths(s: JsonSchema | undefined, prefix: (string | number)[] = [], depth = 0): { path: (string | number)[]; schema: JsonSchema }[] {
  if (!s || depth > 5) return [];
  const out: { path: (string | number)[]; schema: JsonSchema }[] = [];
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    out.push({ path: [...prefix, k], schema: child });
    out.push(...fieldPaths(child, [...prefix, k], depth + 1));
  }
  if (s.items) {
    out.push({ path: [...prefix, 0], schema: s.items });
    out.push(...fieldPaths(s.items, [...prefix, 0], depth + 1));
  }
  return out;
}

function setPath(target: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const base: any = Array.isArray(target) ? [...target] : target && typeof target === 'object' ? { ...(target as object) } : typeof head === 'number' ? [] : {};
  base[head] = setPath(base[head], rest, value);
  return base;
}

// ——— hostile values ———

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const oddChar = fc.oneof(
  loneSurrogate,
  fc.constantFrom(
    '\u0000',
    '\u202e',
    '\u202d',
    '\u200f',
    '\u200b',
    '\ufeff',
    '\u0301',
    '\uffff',
    '\u2028',
    '\u0007',
    '\u001b',
    '😀',
    '𝕏',
    '鿿',
    '﷽',
    '"',
    '\\',
    '/',
    '%',
    '$',
    '.',
    '\n',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const oddString = fc.array(oddChar, { minLength: 1, maxLength: 40 }).map((a) => a.join(''));
const trickyString = fc.constantFrom(
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  '{"$gt":""}',
  '$where',
  'a'.repeat(129),
  '../../etc/passwd',
  '%00',
  '<script>alert(1)</script>',
  "'; DROP TABLE filings; --",
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  'null',
  'true',
  '0x10',
  ' 22',
  '22 ',
  '２２',
  '2026-02-30',
  '9999-99-99',
  'P-1D',
);
const hugeString = fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'ｘ'.repeat(n));
const badNumber = fc.oneof(
  fc.constantFrom(-1, -0, 0, 0.5, 1.5, -1.5, 6, 101, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, Number.MIN_VALUE, 0.1 + 0.2),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
);
/** number literals JSON.stringify cannot write: they go into the text as is */
const rawNumber = fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '0.0000000000000000000001', '1E+2');
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  badNumber,
  fc.constant([]),
  fc.constant({}),
  fc.array(oddString, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', '$gt', '$ne', 'constructor', '__defineGetter__'), fc.oneof(oddString, badNumber), { maxKeys: 3 }),
);
/** deeply nested arrays or objects, spliced into the text (JSON.stringify itself would overflow) */
const deepNesting = fc.tuple(fc.integer({ min: 50, max: 50_000 }), fc.boolean()).map(([n, arrays]) => ({
  __raw: arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n),
}));
const hostileValue = fc.oneof(
  { weight: 3, arbitrary: wrongType },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: trickyString },
  { weight: 2, arbitrary: badNumber },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: rawNumber.map((r) => ({ __raw: r })) },
  { weight: 1, arbitrary: deepNesting },
);
const unknownKey = fc.oneof(
  fc.constantFrom('isAdmin', 'role', '$where', '$set', 'status', 'version', '_id', 'actor', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
  oddString,
);
const protoInjection = fc.constantFrom(
  '"__proto__":{"polluted":"yes","isAdmin":true}',
  '"constructor":{"prototype":{"polluted":"yes"}}',
  '"__proto__":[1,2,3]',
  '"__proto__":null',
);

/** percent-encodes anything, lone surrogates included (as their WTF-8 bytes, which are not UTF-8) */
function pct(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (c >= 0xd800 && c <= 0xdfff && !pair) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else out += encodeURIComponent(s[i]);
  }
  return out;
}

/** JSON text of a body, with raw number literals and prototype keys spliced in */
function toJsonText(body: unknown, proto?: string): string {
  const raws: string[] = [];
  let text =
    JSON.stringify(body, (_k, v) => {
      if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { __raw?: unknown }).__raw === 'string' && Object.keys(v).length === 1) {
        raws.push((v as { __raw: string }).__raw);
        return `__RAW_${raws.length - 1}__`;
      }
      return v;
    }) ?? 'null';
  raws.forEach((r, i) => (text = text.replace(`"__RAW_${i}__"`, r)));
  if (proto && text.startsWith('{')) text = text === '{}' ? `{${proto}}` : `{${proto},${text.slice(1)}`;
  return text;
}

interface BodyCase {
  payload: string | Buffer;
  contentType?: string;
  why: string;
}

/** values whose JSON type is not the one the schema asks for */
function wrongTypesFor(schema: JsonSchema): unknown[] {
  const type = Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? (schema.enum ? typeof schema.enum[0] : 'string'));
  const all: Record<string, unknown> = { string: 'x', number: 1.5, integer: 2, boolean: true, array: ['x'], object: { $gt: '' }, null: null };
  const same: Record<string, string[]> = {
    string: ['string'],
    number: ['number', 'integer'],
    integer: ['integer'],
    boolean: ['boolean'],
    array: ['array'],
    object: ['object'],
  };
  return Object.entries(all)
    .filter(([t]) => !(same[type] ?? [type]).includes(t))
    .map(([, v]) => v);
}

/** a body that must be refused: every case carries at least one flaw no valid request has */
function brokenBody(schema: JsonSchema | undefined, sample: unknown): fc.Arbitrary<BodyCase> {
  const paths = fieldPaths(schema);
  const mutation = paths.length
    ? fc.tuple(fc.constantFrom(...paths), hostileValue).map(([p, v]) => ({ path: p.path, value: v }))
    : hostileValue.map((v) => ({ path: ['value'] as (string | number)[], value: v }));
  const valid = toJsonText(sample);
  return fc.oneof(
    // malformed JSON: a strict prefix of a valid body, or known-bad syntax
    fc.integer({ min: 0, max: Math.max(0, valid.length - 1) }).map((n) => ({ payload: valid.slice(0, n), why: 'truncated JSON' })),
    fc
      .constantFrom(
        '{"a":}',
        "{'a':1}",
        '{"a":1,}',
        '{a:1}',
        '[1,2',
        'NaN',
        'undefined',
        '{"a":"\u0000',
        '\u0000',
        '{"a":1}{"b":2}',
        '\ufeff{',
        '{"a":"\\x41"}',
        '{"a":01}',
        '{"__proto__":',
      )
      .map((p) => ({ payload: p, why: 'malformed JSON' })),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((b) => ({ payload: Buffer.concat([Buffer.from([0xff, 0xfe, 0x7b]), Buffer.from(b)]), why: 'bytes that are not UTF-8 JSON' })),
    // well-formed JSON of the wrong shape
    fc
      .oneof(fc.constant(null), fc.boolean(), badNumber, oddString, fc.array(wrongType, { maxLength: 3 }))
      .map((v) => ({ payload: JSON.stringify(v) ?? 'null', why: 'not an object' })),
    // a near-valid body with hostile fields and an unknown field (the schemas are strict)
    fc.tuple(fc.array(mutation, { minLength: 0, maxLength: 3 }), unknownKey, hostileValue).map(([muts, key, value]) => {
      let body = muts.reduce((b, m) => setPath(b, m.path, m.value), sample);
      body =
        body && typeof body === 'object' && !Array.isArray(body)
          ? { ...(body as object), [key in (body as object) ? `${key}_x` : key]: value }
          : { [key]: value };
      return { payload: toJsonText(body), why: 'unknown field' };
    }),
    // a near-valid body with one field of the wrong type (not a string where a string belongs, …)
    ...(paths.length
      ? [
          fc.tuple(fc.constantFrom(...paths.filter((p) => typeof p.path[p.path.length - 1] === 'string')), fc.nat()).map(([p, n]) => {
            const choices = wrongTypesFor(p.schema);
            return { payload: toJsonText(setPath(sample, p.path, choices[n % choices.length])), why: `wrong type at ${p.path.join('.')}` };
          }),
        ]
      : []),
    // prototype keys anywhere: the JSON parser refuses them
    fc.tuple(protoInjection, fc.array(mutation, { maxLength: 2 })).map(([proto, muts]) => ({
      payload: toJsonText(
        muts.reduce((b, m) => setPath(b, m.path, m.value), sample),
        proto,
      ),
      why: 'prototype key',
    })),
    // not JSON at all
    fc
      .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch+json')
      .map((contentType) => ({ payload: valid, contentType, why: `content type ${contentType}` })),
  );
}

/** a path parameter value: valid, odd or hostile */
const paramValue = (valid: string) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: oddString },
    { weight: 2, arbitrary: trickyString.filter((s) => s !== '') },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 3000 }).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '..', '.', '%2F', ' ', '\u0000').map((s) => ({ raw: s })) },
  );

/** a query string: odd values for the declared parameters, repeated keys, unknown and prototype keys */
function queryString(params: { name: string; schema: JsonSchema }[]): fc.Arbitrary<{ qs: string; mustFail: boolean }> {
  const value = fc.oneof(
    oddString,
    trickyString,
    badNumber.map(String),
    hugeString.map((s) => s.slice(0, 5000)),
    rawNumber,
  );
  const declared = params.length
    ? fc
        .array(fc.tuple(fc.constantFrom(...params.map((p) => p.name)), value, fc.boolean()), { maxLength: 4 })
        .map((pairs) => pairs.flatMap(([k, v, twice]) => (twice ? [`${k}=${pct(v)}`, `${k}=${pct(v)}`] : [`${k}=${pct(v)}`])))
    : fc.constant([] as string[]);
  const extra = fc.oneof(
    unknownKey.filter((k) => !params.some((p) => p.name === k)).map((k) => `${pct(k)}=1`),
    fc.constantFrom('__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', '__proto__=x', 'a[b][c][d][e][f]=1', '%=1', '=1', '&&&', 'x=%E0%A4%A'),
  );
  // routes that declare a query string declare it strict: an unknown key must be refused (routes without one ignore it)
  return fc
    .tuple(declared, fc.option(extra, { freq: 2 }))
    .map(([pairs, e]) => ({ qs: [...pairs, ...(e ? [e] : [])].join('&'), mustFail: params.length > 0 && !!e && !/^(&&&|=1)$/.test(e) }));
}

async function stateOf(s: DevStack): Promise<Record<string, string>> {
  const db = s.services.db.db!;
  const out: Record<string, string> = {};
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    out[name] = `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex')}`;
  }
  return out;
}

describe('fuzzing every route from its OpenAPI schema', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  let routes: RouteUnderTest[] = [];
  const tokens = {} as Record<Role, string>;
  let f1 = '';
  const seen: Record<string, number> = {};
  const fails: string[] = [];

  beforeAll(async () => {
    s = await devStack({ settings: { PUBLIC_RATE_LIMIT: '1000000', CORS_ORIGINS: ORIGIN } });
    api = http(s.app);
    for (const [role, claims] of Object.entries(CLAIMS)) tokens[role as Role] = await s.token({ name: claims.sub, ...claims });
    for (const userId of ['expert-a', 'expert-b']) {
      expect(
        (await api.post('/api/v1/experts', { userId, name: userId, idNumber: idNumber(userId.length * 7), province: '22' }, tokens['province-reviewer']))
          .status,
      ).toBe(201);
    }
    const created = await api.post('/api/v1/filings', X, tokens.institution);
    expect(created.status).toBe(201);
    f1 = created.body.id;
    expect(
      (await api.post(`/api/v1/filings/${f1}/assignments`, { stage: 'preliminary-review', expertIds: ['expert-a'] }, tokens['prefecture-reviewer'])).status,
    ).toBe(200);

    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const actionOf = new Map(s.app.routeTable.map((r) => [`${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`, r.action]));
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const action = actionOf.get(`${method} ${path}`);
        return { method: method.toUpperCase(), path, op, action: isAction(action) ? action : undefined };
      }),
    );
  });
  afterAll(async () => s?.close());

  /** a role that passes the route's role check, so that validation is what answers */
  const tokenFor = (r: RouteUnderTest): string | undefined => {
    if (!r.action) return undefined;
    const rule = ACTIONS[r.action] as { public?: boolean; roles?: readonly Role[] };
    if (rule.public) return undefined;
    const role = rule.roles?.[0] ?? 'admin';
    return tokens[role];
  };
  const validParam = (name: string) => ({ id: f1, objectionId: 'obj-1', year: '2099', number: 'Y000022000001264000999' })[name] ?? 'x';

  async function send(
    r: RouteUnderTest,
    pathValues: Record<string, string | { raw: string }>,
    qs: string,
    body: BodyCase | undefined,
    token: string | undefined,
  ) {
    const url =
      r.path.replace(/\{(\w+)\}/g, (_m, name) => {
        const v = pathValues[name];
        return typeof v === 'string' ? pct(v) : v.raw;
      }) + (qs ? `?${qs}` : '');
    const res = await s.app.inject({
      method: r.method as never,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': body.contentType ?? 'application/json' } : {}),
      },
      ...(body ? { payload: body.payload } : {}),
    });
    return { res, url };
  }

  it('reads the routes from /docs/json', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((r) => !r.action).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('never answers 5xx, answers every refusal with a problem document, and refuses every broken change', async () => {
    const before = await stateOf(s);
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const r of routes) {
      const key = `${r.method.toLowerCase()} ${r.path}`;
      const pathParams = (r.op.parameters ?? []).filter((p) => p.in === 'path');
      const queryParams = (r.op.parameters ?? []).filter((p) => p.in === 'query');
      const bodySchema = r.op.requestBody?.content?.['application/json']?.schema;
      const mutating = r.method !== 'GET' && r.method !== 'HEAD';
      const sample = SAMPLE_BODIES[key] ?? sampleOf(bodySchema);
      const pathArb = fc.record(
        Object.fromEntries(pathParams.map((p) => [p.name, paramValue(validParam(p.name))])) as Record<string, fc.Arbitrary<string | { raw: string }>>,
      );
      const arb = fc.tuple(
        pathArb,
        mutating ? fc.constant({ qs: '', mustFail: false }) : queryString(queryParams),
        mutating ? brokenBody(bodySchema, sample).map((b) => b as BodyCase | undefined) : fc.constant(undefined),
        fc.oneof({ weight: 9, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: fc.constantFrom('none', 'garbage') }),
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([pathValues, query, body, tokenKind]) => {
          const token = tokenKind === 'valid' ? tokenFor(r) : tokenKind === 'garbage' ? 'not.a.jwt' : undefined;
          const { res, url } = await send(r, pathValues, query.qs, body, token);
          const status = res.statusCode;
          seen[status] = (seen[status] ?? 0) + 1;
          const label = `${r.method} ${url.slice(0, 160)} [${body?.why ?? 'read'}] → ${status}`;
          if (status >= 500) fails.push(`${label}: ${res.body.slice(0, 200)}`);
          if (status >= 400) {
            const ct = String(res.headers['content-type']);
            let code: unknown;
            try {
              code = res.json().code;
            } catch {
              code = undefined;
            }
            if (!ct.startsWith('application/problem+json') || typeof code !== 'string')
              fails.push(`${label}: not a problem document (${ct}) ${res.body.slice(0, 120)}`);
          }
          if ((mutating || query.mustFail) && status < 400) fails.push(`${label}: a broken request was accepted: ${res.body.slice(0, 200)}`);
          return status < 500;
        }),
        { numRuns: Math.round((mutating ? 40 : 25) * RUNS_FACTOR), endOnFailure: true },
      );
    }
    if (process.env.FUZZ_VERBOSE) console.log('statuses', seen);
    expect(fails.slice(0, 30)).toEqual([]);
    // the fuzzer did reach validation, and more than validation
    expect(seen[400]).toBeGreaterThan(200);
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(await stateOf(s)).toEqual(before);
    const health = await s.app.inject({ method: 'GET', url: '/health' });
    expect([health.statusCode, health.json().status]).toEqual([200, 'ok']);
  });

  describe('limits and headers', () => {
    it('413 PAYLOAD_TOO_LARGE as a problem document for a body over 1 MiB', async () => {
      const before = await stateOf(s);
      const big = JSON.stringify({ ...X, feeStandard: 'x'.repeat(1024 * 1024) });
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/filings',
        payload: big,
        headers: { authorization: `Bearer ${tokens.institution}`, 'content-type': 'application/json' },
      });
      expect(r.statusCode).toBe(413);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      // a public route too, before anything else runs
      const pub = await s.app.inject({
        method: 'POST',
        url: `/api/v1/filings/${f1}/objections`,
        payload: `{"reason":"${'y'.repeat(1024 * 1024 + 10)}"}`,
        headers: { 'content-type': 'application/json' },
      });
      expect([pub.statusCode, pub.json().code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      expect(await stateOf(s)).toEqual(before);
    });

    it('429 RATE_LIMITED as a problem document on public routes that opt in, per client address', async () => {
      const limited: Services = { ...s.services, settings: { ...s.services.settings, PUBLIC_RATE_LIMIT: 3 } };
      const app: FastifyInstance = await buildApp(limited);
      try {
        const object = (remoteAddress = '203.0.113.7') =>
          app.inject({
            method: 'POST',
            url: `/api/v1/filings/${f1}/objections`,
            remoteAddress,
            payload: { name: '张三', contact: '13800000000', reason: '场地不符' },
          });
        const first = await object();
        expect(first.statusCode).toBe(409); // not in publicity
        expect(first.headers['x-ratelimit-limit']).toBe('3');
        await object();
        await object();
        const over = await object();
        expect(over.statusCode).toBe(429);
        expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(over.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests', type: '/problems/rate-limited' });
        expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
        // another address is counted on its own; routes that do not opt in are not limited
        expect((await object('203.0.113.8')).statusCode).toBe(409);
        for (let i = 0; i < 6; i++) expect((await app.inject({ method: 'GET', url: '/api/v1/directory', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });

    it("sets helmet's security headers on every answer, errors included", async () => {
      for (const r of [
        await s.app.inject({ method: 'GET', url: '/health' }),
        await s.app.inject({ method: 'GET', url: '/api/v1/tasks' }), // 401
        await s.app.inject({ method: 'GET', url: '/api/v1/nope' }), // 404
        await s.app.inject({
          method: 'POST',
          url: '/api/v1/experts',
          headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
          payload: '{',
        }), // 400
      ]) {
        expect(r.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': expect.stringMatching(/max-age=\d+/),
          'cross-origin-opener-policy': 'same-origin',
          'content-security-policy': expect.stringContaining("default-src 'self'"),
        });
        expect(r.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves Swagger UI under the CSP: only same-origin scripts and styles, all of them there', async () => {
      const page = await s.app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const csp = String(page.headers['content-security-policy']);
      const directive = (name: string) =>
        csp
          .split(';')
          .map((d) => d.trim())
          .find((d) => d.startsWith(`${name} `)) ?? '';
      expect(directive('script-src')).toBe("script-src 'self'");
      expect(directive('style-src')).toContain("'self'");
      expect(directive('img-src')).toContain('data:');
      // plain-HTTP deployments must still load /docs: no upgrade-insecure-requests
      expect(csp).not.toContain('upgrade-insecure-requests');
      const html = page.body;
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, inline] of scripts) {
        expect(inline.trim()).toBe(''); // no inline script (script-src 'self' would block it)
        expect(attrs).toMatch(/src="\.\/static\//); // same origin
      }
      expect(html).not.toMatch(/\son\w+=/); // no inline event handlers (script-src-attr 'none')
      const assets = [...html.matchAll(/(?:src|href)="(\.\/static\/[^"]+)"/g)].map((m) => m[1].replace('./', '/docs/'));
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) expect([asset, (await s.app.inject({ method: 'GET', url: asset })).statusCode]).toEqual([asset, 200]);
      const init = await s.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
      expect(init.statusCode).toBe(200);
      expect(init.body).toContain('json'); // it loads /docs/json, same origin
      expect((await s.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    });

    it('CORS: only the listed origins, with a preflight answered before authentication', async () => {
      const preflight = (origin: string) =>
        s.app.inject({
          method: 'OPTIONS',
          url: '/api/v1/filings',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
        });
      const ok = await preflight(ORIGIN);
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(ok.headers['access-control-allow-headers']).toLowerCase()).toEqual(expect.stringContaining('idempotency-key'));
      expect(String(ok.headers['access-control-allow-headers']).toLowerCase()).toEqual(expect.stringContaining('authorization'));
      expect(ok.headers['access-control-allow-credentials']).toBeUndefined();

      for (const origin of ['https://evil.example.com', 'https://portal.example.gov.cn.evil.com', 'null', 'http://portal.example.gov.cn']) {
        const no = await preflight(origin);
        expect([origin, no.statusCode, no.headers['access-control-allow-origin']]).toEqual([origin, 404, undefined]);
        expect(no.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      const noOrigin = await s.app.inject({ method: 'OPTIONS', url: '/api/v1/filings' });
      expect(noOrigin.statusCode).toBe(404);

      const get = await s.app.inject({ method: 'GET', url: '/api/v1/directory', headers: { origin: ORIGIN } });
      expect(get.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(get.headers['access-control-expose-headers']).toLowerCase()).toContain('idempotent-replayed');
      expect(String(get.headers.vary)).toMatch(/origin/i);
      const evil = await s.app.inject({ method: 'GET', url: '/api/v1/directory', headers: { origin: 'https://evil.example.com' } });
      expect(evil.statusCode).toBe(200);
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('CORS by default (no CORS_ORIGINS): same origin only', async () => {
      const app = await buildApp({ ...s.services, settings: { ...s.services.settings, CORS_ORIGINS: [] } });
      try {
        for (const origin of [ORIGIN, 'https://evil.example.com']) {
          const get = await app.inject({ method: 'GET', url: '/api/v1/directory', headers: { origin } });
          expect(get.headers['access-control-allow-origin']).toBeUndefined();
          const pre = await app.inject({ method: 'OPTIONS', url: '/api/v1/directory', headers: { origin, 'access-control-request-method': 'GET' } });
          expect(pre.statusCode).toBe(404);
          expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        }
      } finally {
        await app.close();
      }
    });

    it('stays up on a real socket through malformed HTTP', async () => {
      const app = await buildApp(s.services);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const raw = (text: string | Buffer, wait = 1500) =>
        new Promise<string>((resolve) => {
          const sock = connect(port, '127.0.0.1');
          let got = '';
          sock.on('data', (d) => (got += d.toString('latin1')));
          sock.on('error', () => resolve(got));
          sock.on('close', () => resolve(got));
          sock.setTimeout(wait, () => {
            sock.destroy();
            resolve(got);
          });
          sock.write(text);
        });
      try {
        const statusOf = (reply: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
        expect(statusOf(await raw('GARBAGE\r\n\r\n'))).toBe(400);
        expect(statusOf(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`))).toBe(431);
        expect(
          statusOf(
            await raw('POST /api/v1/experts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n'),
          ),
        ).toBe(400);
        expect(statusOf(await raw('POST /api/v1/experts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}'))).toBe(400);
        // a body shorter than announced, then the client goes away
        await raw('POST /api/v1/experts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', 300);
        const malformed = await raw(
          'POST /api/v1/experts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6\r\nConnection: close\r\n\r\n{"a":}',
        );
        expect(statusOf(malformed)).toBe(401);
        const health = await raw('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        expect(statusOf(health)).toBe(200);
        expect(health).toContain('"status":"ok"');
      } finally {
        await app.close();
      }
    });
  });
});
