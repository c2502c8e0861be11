/**
 * The bench's figures and their report: one table printed and written to bench/results/<name>.json
 * and <name>.md (the embedded run `latest`, the production stack's run `latest-production`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { ROOT } from '../infra/embedded';

export interface Figure {
  id: string;
  what: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target: string;
  met?: boolean;
  note?: string;
}

/**
 * A figure against its same-run baseline: the ratio value/baseline and, when the figure has a
 * target, whether the ratio is at least (throughput) or at most (latency, cost) that bound.
 */
export function ratioFigure(f: Omit<Figure, 'ratio' | 'target' | 'met'> & { baseline: number; atLeast?: number; atMost?: number }): Figure {
  const { atLeast, atMost, ...figure } = f;
  const ratio = f.value / f.baseline;
  if (atLeast !== undefined) return { ...figure, ratio, target: `≥ ${atLeast.toFixed(2)}`, met: ratio >= atLeast };
  if (atMost !== undefined) return { ...figure, ratio, target: `≤ ${atMost.toFixed(1)}`, met: ratio <= atMost };
  return { ...figure, ratio, target: '—' };
}

export function report(figures: Figure[], name: string, extra: Record<string, unknown> = {}) {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const fmt = (n: number | undefined, unit = '') => (n === undefined || Number.isNaN(n) ? '—' : `${n >= 100 ? n.toFixed(0) : n.toFixed(2)}${unit}`);
  const lines = [
    `| figure | value | baseline | ratio | target | met |`,
    `|---|---|---|---|---|---|`,
    ...figures.map(
      (f) =>
        `| (${f.id}) ${f.what} | ${fmt(f.value, ` ${f.unit}`)} | ${fmt(f.baseline, ` ${f.unit}`)} | ${fmt(f.ratio)} | ${f.target} | ${f.met === undefined ? (f.note ?? '') : f.met ? 'yes' : 'NO'} |`,
    ),
  ];
  console.log(`\nmachine: ${machine}\n\n${lines.join('\n')}\n`);
  for (const f of figures) if (f.note) console.log(`(${f.id}) ${f.note}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, `bench/results/${name}.json`), JSON.stringify({ machine, at: new Date().toISOString(), ...extra, figures }, null, 2));
  writeFileSync(join(ROOT, `bench/results/${name}.md`), `machine: ${machine}\n\n${lines.join('\n')}\n`);
  console.log(`written to bench/results/${name}.json and ${name}.md`);
}
