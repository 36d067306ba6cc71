// The gateway's own view of request durations: its Prometheus histogram, scraped before and after
// a run. Coarse (bucket bounds) but free of the load generator's and the kernel's queueing.
export type Buckets = Record<string, number>;

export async function scrapeBuckets(origin: string, route: string, status: string, method = 'POST'): Promise<Buckets> {
  const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Buckets = {};
  const re = /^ketenstatus_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)$/gm;
  for (const m of text.matchAll(re)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (labels.route === route && labels.status === status && labels.method === method) out[labels.le] = Number(m[2]);
  }
  return out;
}

/** The upper bound (ms) of the bucket holding quantile q of the requests between two scrapes. */
export function quantileMs(before: Buckets, after: Buckets, q: number): number | null {
  const bounds = Object.keys(after).filter((le) => le !== '+Inf').map(Number).sort((a, b) => a - b);
  const total = (after['+Inf'] ?? 0) - (before['+Inf'] ?? 0);
  if (total <= 0) return null;
  for (const le of bounds) {
    const key = Object.keys(after).find((k) => Number(k) === le)!;
    if ((after[key] ?? 0) - (before[key] ?? 0) >= q * total) return le * 1000;
  }
  return Number.POSITIVE_INFINITY;
}

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
