// A steady request rate from inside the bench process, for scenarios whose unit is a change (not a
// plain HTTP request the load worker can send): `fire(k)` is called `rate` times a second for
// `seconds`; resolves with the number fired once every one of them has settled.
import { setTimeout as sleep } from 'node:timers/promises';

export async function paced(rate: number, seconds: number, fire: (k: number) => Promise<unknown>, tickMs = 2): Promise<number> {
  const start = performance.now();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      const p = fire(sent++);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await sleep(tickMs);
  }
  await Promise.all(inFlight);
  return sent;
}
