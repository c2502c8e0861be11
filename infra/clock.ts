/**
 * The one source of "now" outside workflow code. Workflows use workflow time; everything the API
 * computes from "now" reads this clock, which follows the time-skipping test server in demo mode
 * and the wall clock otherwise.
 */
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

export interface Clock {
  readonly kind: 'wall' | 'test-server';
  now(): Promise<Date>;
}

export const wallClock: Clock = { kind: 'wall', now: async () => new Date() };

/** ISO-8601 duration (PnYnMnWnDTnHnMnS) to milliseconds; years 365 days, months 30 days. */
export function parseIsoDuration(text: string): number | null {
  const m = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m) return null;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
  const day = 86_400_000;
  return y * 365 * day + mo * 30 * day + w * 7 * day + d * day + h * 3_600_000 + mi * 60_000 + Math.round(s * 1000);
}

export class TestServerClock implements Clock {
  readonly kind = 'test-server' as const;
  constructor(private readonly connection: Connection) {}

  private get service() {
    const svc = this.connection.testService;
    if (!svc) throw new Error('the Temporal connection has no TestService (not a time-skipping server)');
    return svc;
  }

  async now(): Promise<Date> {
    const { time } = await this.service.getCurrentTime({});
    const seconds = Number(time?.seconds ?? 0);
    const nanos = Number(time?.nanos ?? 0);
    return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
  }

  /** Skips server time forward by `ms`, firing every timer due on the way, as real time would. */
  async advance(ms: number): Promise<Date> {
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms % 1000) * 1e6;
    await this.service.unlockTimeSkippingWithSleep({ duration: msToTs(seconds * 1000 + nanos / 1e6) });
    return this.now();
  }
}
