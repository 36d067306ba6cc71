import type { Context } from 'hono';
import { validationProblem } from './problem.ts';

export interface Page {
  page: number;
  pageSize: number;
  limit: number;
  offset: number;
}

export function readPage(c: Context, defaultSize = 20): Page {
  const page = parsePositive(c.req.query('page') ?? '1', 'page', 1_000_000);
  const pageSize = parsePositive(c.req.query('pageSize') ?? String(defaultSize), 'pageSize', 100);
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}

/** `{ count, next, previous, results }` as the ZGW APIs list resources. */
export function pageOf<T>(c: Context, page: Page, count: number, results: T[], baseUrl: string) {
  const link = (p: number) => {
    const url = new URL(c.req.path, baseUrl);
    for (const [k, v] of Object.entries(c.req.query())) if (k !== 'page') url.searchParams.set(k, v);
    url.searchParams.set('page', String(p));
    return url.toString();
  };
  return {
    count,
    next: page.offset + results.length < count ? link(page.page + 1) : null,
    previous: page.page > 1 ? link(page.page - 1) : null,
    results,
  };
}

function parsePositive(value: string, name: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw validationProblem([{ name, code: 'invalid', reason: `must be an integer from 1 to ${max}` }]);
  }
  return n;
}
