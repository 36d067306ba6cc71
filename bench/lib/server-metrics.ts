// The gateway's own view of a run: its group-commit metrics, scraped before and after, and the
// durations of its access lines (counted from when admission first saw each request), which are
// free of the load generator's and the kernel's queueing.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { summarise, type LatencySummary } from './stats.ts';

/** Group commit as the gateway saw it: statements, their summed duration and notifications answered. */
export async function scrapeIntake(origin: string): Promise<{ statements: number; seconds: number; notifications: number }> {
  const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const one = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return {
    statements: one(/^ketenstatus_intake_statement_seconds_count (\S+)$/gm),
    seconds: one(/^ketenstatus_intake_statement_seconds_sum (\S+)$/gm),
    notifications: one(/^ketenstatus_notifications_total\{[^}]*\} (\S+)$/gm),
  };
}

/** Mean batch size and statement duration between two scrapes. */
export function intakeBetween(a: Awaited<ReturnType<typeof scrapeIntake>>, b: Awaited<ReturnType<typeof scrapeIntake>>) {
  const statements = b.statements - a.statements;
  if (statements <= 0) return 'no intake statements';
  const batch = (b.notifications - a.notifications) / statements;
  return `group commit: ${statements} statements, ${batch.toFixed(1)} notifications each, ${((1000 * (b.seconds - a.seconds)) / statements).toFixed(2)} ms each`;
}

/** Where a log file ends now: pass it to `accessLines` to read only what is written after. */
export const logEnd = (file: string) => statSync(file).size;

/**
 * The durations of the access lines (msg "request") written to a gateway's log since `from`, for
 * one route and status. Needs LOG_LEVEL info or lower.
 */
export async function accessDurations(file: string, from: number, route: string, status: number): Promise<LatencySummary> {
  await new Promise((r) => setTimeout(r, 200)); // the run's last lines reach the file (one write per event-loop turn)
  const fd = openSync(file, 'r');
  try {
    const length = fstatSync(fd).size - from;
    const buffer = Buffer.alloc(Math.max(0, length));
    readSync(fd, buffer, 0, buffer.length, from);
    const durations: number[] = [];
    const lines = buffer.toString('utf8').split('\n');
    lines.pop(); // '' after the last newline, or a line still being written
    for (const line of lines) {
      if (!line.includes('"msg":"request"')) continue;
      const entry = JSON.parse(line) as { route?: string; status?: number; duration_ms?: number };
      if (entry.route === route && entry.status === status && typeof entry.duration_ms === 'number') durations.push(entry.duration_ms);
    }
    return summarise(durations);
  } finally {
    closeSync(fd);
  }
}
