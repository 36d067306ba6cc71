// Loads postgres.js with a fix for a crash that is open upstream (porsager/postgres#1154, #1208;
// fixes proposed in #1168, #1176, #1209). In 3.4.9 a small write is deferred to setImmediate; when
// the connection closes first (PostgreSQL restarts, a proxy or firewall resets the line), the
// deferred write runs against a null socket and throws from the immediate — an uncaughtException
// that ends the gateway. Teardown also leaves the write timer set, so the connection object can
// never send anything again once it reconnects (LanternOps/breeze#3225).
//
// The fix is applied to the module source as it loads (a load hook, node:module registerHooks):
// the deferred write on a closed connection fails the waiting queries with CONNECTION_CLOSED
// instead of throwing, and teardown clears the pending write; a failed array-type lookup on a new
// connection (the line cut during it) no longer surfaces as an unhandled rejection. When the
// source does not look as expected (a newer postgres.js), nothing is changed and `patched` stays
// false.
import module from 'node:module';
import type postgres from 'postgres';

const CONNECTION_JS = /\/postgres\/src\/connection\.js$/;

const REPLACEMENTS: [string, string][] = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    '  function nextWrite(fn) {\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection(\'CONNECTION_CLOSED\', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)',
  ],
  ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {'],
  ['    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener(\'data\', data)'],
  // The array-type lookup a new connection runs first is a promise nobody awaits: when the line is
  // cut during it, its rejection is unhandled, which ends a Node process. The connection's own
  // error handling already fails the waiting queries and reconnects; the lookup runs again then.
  ['        return fetchArrayTypes()\n', '        return fetchArrayTypes().catch(() => { needsTypes = options.fetch_types })\n'],
];

let state: 'not-loaded' | 'patched' | 'unchanged' = 'not-loaded';
let loading: Promise<typeof postgres> | undefined;

/** True when the loaded postgres.js carries the fix. */
export const postgresPatched = () => state === 'patched';

export function loadPostgres(): Promise<typeof postgres> {
  return (loading ??= (async () => {
    const hooks = module.registerHooks?.({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (!CONNECTION_JS.test(url) || result.source === undefined) return result;
        let source = String(result.source);
        if (REPLACEMENTS.every(([from]) => source.split(from).length === 2)) {
          for (const [from, to] of REPLACEMENTS) source = source.replace(from, to);
          state = 'patched';
        } else state = 'unchanged';
        return { ...result, source };
      },
    });
    try {
      return (await import('postgres')).default;
    } finally {
      hooks?.deregister();
      if (state === 'not-loaded') state = 'unchanged'; // it was loaded before the hook (tests, tools)
    }
  })());
}
