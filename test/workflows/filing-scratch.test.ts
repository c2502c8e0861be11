import { application } from '../fixtures/filing';
import { filingBed, Flow, DAY, type FilingBed } from '../harness/filing-env';

describe('scratch', () => {
  let bed: FilingBed;
  beforeAll(async () => { bed = await filingBed(); });
  afterAll(async () => bed?.close());
  it('idle', async () => {
    const t0 = Date.now();
    const f = await Flow.start(bed, application());
    const s = await f.toActive();
    console.log('active after', Date.now() - t0, s.notice, new Date(await bed.now()).toISOString());
    await bed.skip(2 * 366 * DAY);
    console.log('skipped', Date.now() - t0);
    const e = await f.ended('withdrawn');
    console.log(e.history.map((x) => `${x.at} ${x.event} ${x.note ?? ''}`).join('\n'));
    console.log(Date.now() - t0);
  });
});
