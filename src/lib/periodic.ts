/**
 * Runs a task every `intervalMs`, and once `firstAfterMs` after start; one run at a time (a tick that
 * finds the last run still going is skipped), and stop() waits for the run in progress.
 */
export class Periodic<T = unknown> {
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly task: (now: Date) => Promise<T>;
  private readonly options: { intervalMs: number; firstAfterMs?: number; onError?: (error: unknown) => void };

  constructor(task: (now: Date) => Promise<T>, options: { intervalMs: number; firstAfterMs?: number; onError?: (error: unknown) => void }) {
    this.task = task;
    this.options = options;
  }

  start(): void {
    const tick = () => {
      if (!this.running) this.runOnce().catch((error) => this.options.onError?.(error));
    };
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
    this.first = setTimeout(tick, this.options.firstAfterMs ?? 5_000);
    this.first.unref();
  }

  runOnce(now = new Date()): Promise<T> {
    const run = this.task(now);
    const settled: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = undefined;
    });
    return run;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.first);
    await this.running;
  }
}
