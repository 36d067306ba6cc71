// What Kysely's postgres.js dialect gets instead of the bare client: the same reserve/unsafe/end,
// with two changes.
//  - Prepared statements. postgres.js runs an unprepared query with parameters as two round trips
//    (Parse+Describe to learn the parameter types, then Bind+Execute); a prepared one is described
//    once per connection and then costs one. Every Kysely query has parameters.
//  - A deadline per query (and per wait for a connection). When the network to PostgreSQL is cut a
//    query can wait forever; past the deadline the caller gets a DatabaseTimeoutError (answered
//    503 with Retry-After) instead of a request that hangs. The query itself stays queued on its
//    connection and finishes or fails when the network comes back.
import type postgres from 'postgres';

export class DatabaseTimeoutError extends Error {
  readonly code = 'QUERY_TIMEOUT';
  constructor(ms: number, what: string) {
    super(`the database did not answer within ${ms} ms (${what})`);
  }
}

export interface DialectClient {
  reserve(): Promise<{ unsafe(text: string, params: unknown[]): Promise<postgres.RowList<postgres.Row[]>>; release(): void }>;
  end(options?: { timeout?: number }): Promise<void>;
}

/** `deadlineMs()` is read per query; 0 means no deadline (migrations run without one). */
export function dialectClient(client: postgres.Sql, deadlineMs: () => number): DialectClient {
  return {
    async reserve() {
      const reserved = await withDeadline(client.reserve(), deadlineMs(), 'waiting for a connection', (late) => late.release());
      return {
        unsafe: (text, params) => withDeadline(reserved.unsafe(text, params as never[], { prepare: true }), deadlineMs(), 'query'),
        release: () => reserved.release(),
      };
    },
    end: (options) => client.end(options),
  };
}

function withDeadline<T>(work: PromiseLike<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
  if (!ms) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new DatabaseTimeoutError(ms, what));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (expired) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!expired) reject(error);
      },
    );
  });
}
