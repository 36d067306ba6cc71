// The run's environment and its markdown table.
import { cpus, totalmem } from 'node:os';
import postgres from 'postgres';
import type { ScenarioReport } from './scenario.ts';

export interface Environment {
  node: string;
  postgres: string;
  cpu: string;
  cpus: number;
  memoryGb: number;
  loadAverageAtStart: number[];
}

export async function environment(serverUrl: string): Promise<Environment> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ server_version }] = await sql<{ server_version: string }[]>`show server_version`;
    const { loadavg } = await import('node:os');
    return {
      node: process.version,
      postgres: server_version,
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cpus: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    };
  } finally {
    await sql.end();
  }
}

export function markdownTable(env: Environment, reports: ScenarioReport[], meta: { quick: boolean; startedAt: string; seconds: number }): string {
  const lines = [
    `Node ${env.node} · PostgreSQL ${env.postgres} · ${env.cpus} × ${env.cpu} · ${env.memoryGb} GB · load average at start ${env.loadAverageAtStart.join(' / ')}`,
    `${meta.quick ? 'quick run' : 'full run'} started ${meta.startedAt}, ${meta.seconds} s`,
    '',
    '| | figure | measured | target | met |',
    '|---|---|---|---|---|',
  ];
  for (const r of reports) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.id} | ${r.title} | ${r.status}: ${escapeCell(r.reason ?? '')} | | |`);
      continue;
    }
    for (const f of r.figures) {
      const value = f.value === null ? '—' : `${f.value}${f.unit ? ` ${f.unit}` : ''}`;
      const met = f.met === undefined ? '' : f.met === null ? '—' : f.met ? 'yes' : '**no**';
      lines.push(
        `| ${r.id} | ${escapeCell(f.label.replace(/^B\d /, ''))}${f.note ? `<br><small>${escapeCell(f.note)}</small>` : ''} | ${escapeCell(value)} | ${escapeCell(f.target ?? '')} | ${met} |`,
      );
    }
  }
  return lines.join('\n');
}

const escapeCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
