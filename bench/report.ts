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
