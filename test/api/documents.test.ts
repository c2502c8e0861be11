/**
 * Material documents over HTTP against the real stack: the Temporal dev server (the filing's
 * `attachDocument` Update) and FerretDB (GridFS). Uploads go through @fastify/multipart as a client
 * sends them; the size limit is lowered so that a refused file is still several GridFS chunks.
 */
import { createHash } from 'node:crypto';
import { devStack, type DevStack } from '../harness/stack';
import { http } from '../harness/http';
import { application, idNumber } from '../fixtures/filing';
import { filingWorkflowId } from '../../workflows/filing/messages';
import type { Caller } from '../../domain/roles';

const MAX = 600_000;
const pdf = (size: number, seed = 1) => {
  const b = Buffer.alloc(size, seed);
  b.write('%PDF-1.7\n');
  return b;
};
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 9)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function multipart(fields: [string, string][], file?: { name: string; type?: string; content: Buffer }) {
  const boundary = `----docs${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = fields.map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('material documents over HTTP (GridFS on FerretDB)', () => {
  let s: DevStack;
  let api: ReturnType<typeof http>;
  const tokens: Record<string, string> = {};
  const X = application({ province: '22', prefecture: '220100' });
  const Y = application({ province: '22', prefecture: '220100' });
  let fx: string;

  const upload = async (filingId: string, token: string, kind: string | undefined, file?: { name: string; type?: string; content: Buffer }) => {
    const body = multipart(kind === undefined ? [] : [['kind', kind]], file);
    const r = await s.app.inject({
      method: 'POST',
      url: `/api/v1/filings/${filingId}/documents`,
      payload: body.payload,
      headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType },
    });
    return { status: r.statusCode, body: r.json(), headers: r.headers };
  };
  const stored = async () => ({
    files: await s.services.db.collection('documents.files').countDocuments(),
    chunks: await s.services.db.collection('documents.chunks').countDocuments(),
  });

  beforeAll(async () => {
    s = await devStack({ settings: { DOCUMENT_MAX_BYTES: String(MAX) } });
    api = http(s.app);
    const t = (sub: string, c: Omit<Caller, 'sub' | 'name'>) => s.token({ sub, name: sub, ...c });
    tokens.x = await t('inst-x', { role: 'institution', province: '22', institutionId: X.institution.creditCode });
    tokens.y = await t('inst-y', { role: 'institution', province: '22', institutionId: Y.institution.creditCode });
    tokens.pref = await t('pref-a', { role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    tokens.prefB = await t('pref-b', { role: 'prefecture-reviewer', province: '22', prefecture: '220200' });
    tokens.prov = await t('prov-22', { role: 'province-reviewer', province: '22' });
    tokens.expertA = await t('doc-expert-a', { role: 'expert', province: '22' });
    tokens.expertB = await t('doc-expert-b', { role: 'expert', province: '22' });
    for (const [i, sub] of ['doc-expert-a', 'doc-expert-b'].entries()) {
      expect((await api.post('/api/v1/experts', { userId: sub, name: `专家${i}`, idNumber: idNumber(810 + i), province: '22' }, tokens.prov)).status).toBe(201);
    }
    fx = (await api.post('/api/v1/filings', X, tokens.x)).body.id;
    const assigned = await api.post(`/api/v1/filings/${fx}/assignments`, { stage: 'preliminary-review', expertIds: ['doc-expert-a'] }, tokens.pref);
    expect(assigned.status).toBe(200);
  });
  afterAll(async () => s?.close());

  const report = pdf(400_000); // two GridFS chunks (255 KiB each)
  let reportId: string;

  it('stores a PDF named .txt (the content decides): 201 with documentId, kind, filename, size, sha256; the filing records them, not the bytes', async () => {
    const r = await upload(fx, tokens.x, 'application-report', { name: 'C:\\材料\\申请报告.txt', type: 'text/plain', content: report });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      documentId: expect.stringMatching(/^[0-9a-f]{24}$/),
      kind: 'application-report',
      filename: '申请报告.txt',
      size: 400_000,
      sha256: sha(report),
    });
    reportId = r.body.documentId;
    expect(r.headers.location).toBe(`/api/v1/filings/${fx}/documents/${reportId}`);

    const state = (await api.get(`/api/v1/filings/${fx}`, tokens.x)).body;
    expect(state.documents).toEqual([
      expect.objectContaining({
        documentId: reportId,
        kind: 'application-report',
        filename: '申请报告.txt',
        size: 400_000,
        sha256: sha(report),
        contentType: 'application/pdf',
      }),
    ]);
    const entry = state.history.find((h: { event: string }) => h.event === 'document-attached');
    expect(entry.note).toContain(sha(report));
    expect(entry.note).toContain(reportId);
    // the workflow's own history carries the hash, never the file
    const history = await s.services.temporal.client.workflow.getHandle(filingWorkflowId(fx)).fetchHistory();
    expect(JSON.stringify(history).length).toBeLessThan(report.length / 2);
    expect(await stored()).toEqual({ files: 1, chunks: 2 });
  });

  it('serves it to the institution, the reviewers in scope and the assigned expert, each download audited; others get 404', async () => {
    for (const who of ['x', 'pref', 'prov', 'expertA']) {
      const r = await s.app.inject({ method: 'GET', url: `/api/v1/filings/${fx}/documents/${reportId}`, headers: { authorization: `Bearer ${tokens[who]}` } });
      expect([who, r.statusCode, r.headers['content-type']]).toEqual([who, 200, 'application/pdf']);
      expect(sha(r.rawPayload)).toBe(sha(report));
      expect(String(r.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent('申请报告.txt')}`);
    }
    for (const who of ['y', 'prefB', 'expertB']) {
      const r = await api.get(`/api/v1/filings/${fx}/documents/${reportId}`, tokens[who]);
      expect([who, r.status, r.body.code]).toEqual([who, 404, 'NOT_FOUND']);
    }
    expect((await api.get(`/api/v1/filings/${fx}/documents/${'0'.repeat(24)}`, tokens.x)).body.detail).toMatch(/document/);
    const audit = (await api.get(`/api/v1/filings/${fx}/audit`, tokens.prov)).body.items;
    const downloads = audit.filter((a: { action: string }) => a.action === 'filing.read-document');
    expect(downloads.map((a: { actor: string }) => a.actor).sort()).toEqual(['doc-expert-a', 'inst-x', 'pref-a', 'prov-22']);
    expect(downloads[0].note).toContain(reportId);
    expect(audit.filter((a: { action: string }) => a.action === 'filing.attach-document')).toHaveLength(1);
  });

  it('accepts PNG and JPEG by their first bytes; the same file of the same kind again is the same document', async () => {
    const png = await upload(fx, tokens.x, 'venue-equipment-proof', { name: 'site.jpg', type: 'image/jpeg', content: PNG });
    const jpeg = await upload(fx, tokens.x, 'venue-equipment-proof', { name: 'site2', content: JPEG });
    expect([png.status, jpeg.status]).toEqual([201, 201]);
    const again = await upload(fx, tokens.x, 'venue-equipment-proof', { name: 'copy.png', content: PNG });
    expect([again.status, again.body.documentId]).toEqual([201, png.body.documentId]);
    const state = (await api.get(`/api/v1/filings/${fx}`, tokens.x)).body;
    expect(state.documents.map((d: { contentType: string }) => d.contentType)).toEqual(['application/pdf', 'image/png', 'image/jpeg']);
    expect((await stored()).files).toBe(3);
  });

  it('refuses other types (415), too large a file (413), a bad kind or no file (400), JSON (415): nothing half-stored remains', async () => {
    const before = await stored();
    const cases: [number, string, Awaited<ReturnType<typeof upload>>][] = [
      [
        415,
        'DOCUMENT_TYPE_UNSUPPORTED',
        await upload(fx, tokens.x, 'work-plan', { name: 'plan.pdf', type: 'application/pdf', content: Buffer.from('just text, named .pdf') }),
      ],
      [
        415,
        'DOCUMENT_TYPE_UNSUPPORTED',
        await upload(fx, tokens.x, 'work-plan', { name: 'a.zip', content: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(500_000)]) }),
      ],
      [413, 'DOCUMENT_TOO_LARGE', await upload(fx, tokens.x, 'work-plan', { name: 'big.pdf', content: pdf(MAX + 1, 3) })],
      [400, 'VALIDATION_FAILED', await upload(fx, tokens.x, 'photo', { name: 'a.pdf', content: pdf(300_000, 4) })],
      [400, 'VALIDATION_FAILED', await upload(fx, tokens.x, 'work-plan')],
    ];
    for (const [status, code, r] of cases) expect([r.status, r.body.code]).toEqual([status, code]);
    const json = await api.post(`/api/v1/filings/${fx}/documents`, { kind: 'work-plan' }, tokens.x);
    expect([json.status, json.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await stored()).toEqual(before);
  });

  it("another institution's filing is 404 and stores nothing; a filing whose workflow refuses has its stored file deleted again", async () => {
    const before = await stored();
    const other = await upload(fx, tokens.y, 'work-plan', { name: 'p.pdf', content: pdf(1000) });
    expect([other.status, other.body.code]).toEqual([404, 'NOT_FOUND']);
    // the read model still says in review, the workflow is gone: the bytes are stored, then removed
    const fy = (await api.post('/api/v1/filings', Y, tokens.y)).body.id;
    await s.services.temporal.client.workflow.getHandle(filingWorkflowId(fy)).terminate('test: the workflow is away');
    const refused = await upload(fy, tokens.y, 'work-plan', { name: 'p.pdf', content: pdf(300_000, 5) });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await stored()).toEqual(before);
  });
});
