// Runs the load generator in a child process and hands back its result.
import { fork } from 'node:child_process';
import type { LoadResult, LoadSpec } from './load-worker.ts';

export type { LoadResult, LoadSpec } from './load-worker.ts';

const WORKER = new URL('./load-worker.ts', import.meta.url);

export function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    let settled = false;
    // The worker stops itself after its duration; this is only the backstop against a hang.
    const limitMs = (spec.durationSec + (spec.warmupSec ?? 0) + (spec.timeoutSec ?? 30) + 30) * 1000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`load worker did not finish within ${limitMs} ms`));
    }, limitMs);
    const finish = (error: Error | undefined, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result!);
    };
    child.on('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => finish(m.ok ? undefined : new Error(m.error), m.result));
    child.on('exit', (code) => finish(new Error(`load worker exited with ${code} before answering`)));
    child.on('error', (e) => finish(e));
    child.send(spec);
  });
}
