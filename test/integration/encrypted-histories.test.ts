/**
 * Issue #14, "No personal data in clear in Temporal", on the real main command (`npm start`,
 * development mode, the dev server persisting to $DATA_DIR/temporal.db): a filing with a known ID
 * number and phone number goes in over HTTP and through its first review stage. Then
 *   - its history read by a client without the codec holds encrypted payloads
 *     (`encoding: binary/encrypted`) and neither string; with the codec (the local key the command
 *     generated in DATA_DIR) it decodes and both are there;
 *   - the codec endpoint the API process serves on CODEC_PORT decodes for an admin token, and
 *     refuses other roles; the `temporal` CLI shows the history in clear through it;
 *   - after the stop, no Temporal database file (temporal.db, -wal, -shm) holds either string.
 * Controls, so that a search that finds nothing means something: the same files hold the
 * workflow id (kept in clear, as the server indexes it), and FerretDB's files, where the read model
 * keeps the application, hold the ID number.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { embeddedEnv, startMainCommand, type MainCommand } from '../harness/main-command';
import { signToken } from '../../api/tokens';
import { loadSettings } from '../../config';
import { binary } from '../../infra/embedded';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, LOCAL_KEY_FILE, payloadKeysForReading } from '../../infra/payload-codec';
import { filingWorkflowId } from '../../workflows/filing/messages';
import { application, idNumber } from '../fixtures/filing';

jest.setTimeout(240_000);

const historyBytes = (h: temporal.api.history.v1.IHistory) => Buffer.from(temporal.api.history.v1.History.encode(h).finish());

/** Every Payload in a history, replaced by what `map` makes of them. */
async function mapPayloads(root: object, map: (ps: Payload[]) => Promise<Payload[]>): Promise<void> {
  const slots: { holder: any; key: string | number }[] = [];
  const isPayload = (v: any) => v.metadata && typeof v.metadata === 'object' && Object.values(v.metadata).every((m) => m instanceof Uint8Array) && 'data' in v;
  const visit = (v: any, holder: any, key: string | number) => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, v, i));
    if (isPayload(v)) return void slots.push({ holder, key });
    // search attributes are indexed by the server, so no codec may touch them: they hold no
    // personal data (domain/search-attributes.ts), and the byte searches below cover them too
    // nor does any codec see a patch marker's details, which the SDK core writes itself: the
    // patch's id (workflows/…: patched('…')) and whether it is deprecated
    if (v.markerName === 'core_patch') return;
    for (const k of Object.keys(v)) if (k !== 'searchAttributes') visit(v[k], v, k);
  };
  visit(root, undefined, '');
  const mapped = await map(slots.map((s) => s.holder[s.key]));
  slots.forEach((s, i) => (s.holder[s.key] = mapped[i]));
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

describe('no personal data in clear in Temporal (the main command, development mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skillcert-encrypted-'));
  let main: MainCommand | undefined;
  afterAll(async () => {
    await main?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a filing with a known ID number and phone leaves neither in the history nor in any Temporal database file', async () => {
    const env = await embeddedEnv(dataDir, { APP_MODE: 'development' });
    const base = `http://127.0.0.1:${env.PORT}`;
    const codecEndpoint = `http://127.0.0.1:${env.CODEC_PORT}/codec`;
    const secret = loadSettings({ APP_MODE: 'development' }).AUTH_JWT_SECRET!;
    const ID_NUMBER = idNumber(randomInt(1000), '19790614');
    const PHONE = `139${String(randomInt(1e8)).padStart(8, '0')}`;
    const app = application({ staffIdNumbers: [ID_NUMBER] });
    app.institution.contact.phone = PHONE;
    const inst = await signToken(secret, { sub: 'inst', name: 'inst', role: 'institution', province: '22', institutionId: app.institution.creditCode });
    const reviewer = await signToken(secret, { sub: 'pref', name: 'pref', role: 'prefecture-reviewer', province: '22', prefecture: '220100' });
    const prov = await signToken(secret, { sub: 'prov', name: 'prov', role: 'province-reviewer', province: '22' });
    const expert = await signToken(secret, { sub: 'e1', name: '专家', role: 'expert', province: '22' });
    const admin = await signToken(secret, { sub: 'admin', name: 'admin', role: 'admin' });
    const post = async (path: string, token: string, body: unknown) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as any };
    };

    main = await startMainCommand(env);
    expect(main.output()).toMatch(/payload encryption: generated local key local-[0-9a-f]+ in .*payload-key/);
    expect(main.output()).toContain(`codec        ${codecEndpoint}`);
    expect((await post('/experts', prov, { userId: 'e1', name: '专家', idNumber: idNumber(901), province: '22' })).status).toBe(201);
    const created = await post('/filings', inst, app);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect((await post(`/filings/${id}/assignments`, reviewer, { stage: 'preliminary-review', expertIds: ['e1'] })).status).toBe(200);
    const decided = await post(`/filings/${id}/decisions`, expert, { stage: 'preliminary-review', outcome: 'pass', opinion: `联系电话 ${PHONE} 已核实` });
    expect(decided.status).toBe(200);
    expect(decided.body.stage).toBe('technical-assessment');
    const workflowId = filingWorkflowId(id);

    // the history without the codec: encrypted payloads, no trace of either string
    const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
    try {
      const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
      const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
      expect(Buffer.from(input.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      const raw = historyBytes(history);
      expect(raw.includes(ID_NUMBER)).toBe(false);
      expect(raw.includes(PHONE)).toBe(false);
      expect(raw.includes(workflowId)).toBe(true);
      // every payload of the history is encrypted, not only the input
      const encodings: string[] = [];
      await mapPayloads(history, async (ps) => (encodings.push(...ps.map((p) => Buffer.from(p.metadata!.encoding ?? []).toString())), ps));
      expect(encodings.length).toBeGreaterThan(5);
      expect(new Set(encodings)).toEqual(new Set([ENCRYPTED_ENCODING]));
      // what is in clear: the search attributes and patch markers, nothing personal (the byte searches above)
      expect(history.events!.some((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toBe(true);
      const patches = history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
      for (const m of patches) {
        const data = m.markerRecordedEventAttributes!.details!['patch-data'].payloads![0].data!;
        expect(Object.keys(JSON.parse(Buffer.from(data).toString()) as object).sort()).toEqual(['deprecated', 'id']);
      }
      // with the command's own key (DATA_DIR/payload-key) it decodes
      const keys = payloadKeysForReading({ dataDir, PAYLOAD_KEYS: [] }, { log: () => undefined });
      expect(keys.map((k) => k.id)).toEqual([expect.stringMatching(/^local-/)]);
      await mapPayloads(history, (ps) => new AesGcmPayloadCodec(keys).decode(ps));
      expect(historyBytes(history).includes(ID_NUMBER)).toBe(true);
      expect(historyBytes(history).includes(PHONE)).toBe(true);
    } finally {
      await connection.close();
    }

    // the codec endpoint the API process serves: admins only
    const encrypted = await (async () => {
      const c = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_PORT}` });
      try {
        const h = await new Client({ connection: c }).workflow.getHandle(workflowId).fetchHistory();
        const p = h.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
        return {
          metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(p.data!).toString('base64'),
        };
      } finally {
        await c.close();
      }
    })();
    const decode = (token: string) =>
      fetch(`${codecEndpoint}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', authorization: `Bearer ${token}` },
        body: JSON.stringify({ payloads: [encrypted] }),
      });
    const decoded = await decode(admin);
    expect(decoded.status).toBe(200);
    const [clear] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
    expect(Buffer.from(clear.data, 'base64').toString()).toContain(ID_NUMBER);
    expect((await decode(prov)).status).toBe(403);
    // the Web UI's origin (the dev server's own UI) may call it from a browser; another may not
    const preflight = (origin: string) =>
      fetch(`${codecEndpoint}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    expect((await preflight(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`)).status).toBe(204);
    expect((await preflight('http://evil.example')).status).toBe(403);

    // the CLI as README "Reading encrypted histories" shows it
    const show = (extra: string[]) =>
      promisify(execFile)(
        binary('temporal'),
        ['workflow', 'show', '--address', `127.0.0.1:${env.TEMPORAL_PORT}`, '-w', workflowId, '--output', 'json', ...extra],
        {
          env: { ...process.env, TEMPORAL_CONFIG_FILE: join(dataDir, 'no-temporal-config.toml') },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    const revealed = (out: string) =>
      out + [...out.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
    expect(revealed((await show([])).stdout)).not.toContain(ID_NUMBER);
    expect(revealed((await show(['--codec-endpoint', codecEndpoint, '--codec-auth', `Bearer ${admin}`])).stdout)).toContain(ID_NUMBER);

    // after a clean stop: grep the bytes of every Temporal database file
    await main.stop();
    main = undefined;
    const temporalFiles = readdirSync(dataDir)
      .filter((f) => f.startsWith('temporal.db'))
      .map((f) => join(dataDir, f));
    expect(temporalFiles).toContain(join(dataDir, 'temporal.db'));
    const db = Buffer.concat(temporalFiles.map((f) => readFileSync(f)));
    expect(db.includes(workflowId)).toBe(true);
    expect(db.includes(ID_NUMBER)).toBe(false);
    expect(db.includes(PHONE)).toBe(false);
    // the control: FerretDB's files keep the read model, with the ID number in clear
    const ferret = Buffer.concat(filesUnder(join(dataDir, 'ferretdb')).map((f) => readFileSync(f)));
    expect(ferret.includes(ID_NUMBER)).toBe(true);
    // and the key that decrypts it all is only in DATA_DIR, readable by its owner only
    expect(statSync(join(dataDir, LOCAL_KEY_FILE)).mode & 0o077).toBe(0);
  });
});
