import { ConfigError, parseConfig } from './config.ts';
import { DataDirectoryLockedError } from './db/database.ts';
import { startDemo, type Demo } from './demo/demo.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { chooseLogFormat, createLogger, logDestination } from './log.ts';
import { NetworkFileError } from './network/load.ts';

const EXPECTED = [ConfigError, NetworkFileError, DataDirectoryLockedError];

async function main() {
  const parsed = parseConfig(process.env);
  const logger = createLogger(parsed.logLevel, await logDestination(chooseLogFormat(parsed.logFormat, process.stdout.isTTY === true)));
  // Signals are ours from here on: the gateway answers /health/ready before start-up has returned,
  // and a SIGTERM then must stop it cleanly, not kill it.
  let started: { gateway: Gateway; demo?: Demo; shutdownTimeoutMs: number } | undefined;
  let requested: string | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    requested ??= signal;
    if (!started || stopping) return; // a stop asked for during start-up runs once it is done
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, started.shutdownTimeoutMs + 5000);
    hardStop.unref();
    await started.gateway.close();
    await started.demo?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const demo = parsed.networkFile ? undefined : await startDemo(parsed, logger);
  // The demo's identity provider only has its address once it runs: the demo completes the config.
  const config = demo ? demo.configure(parsed) : parsed;
  const gateway = await startGateway({ config, logger, env: process.env, defaultNetwork: demo?.network, demoRoutes: demo?.routes });
  started = { gateway, demo, shutdownTimeoutMs: config.shutdownTimeoutMs };
  if (requested) return shutdown(requested);
  if (demo) await demo.seed(gateway).catch((error: Error) => logger.error({ err: error }, 'demo case could not be seeded'));
}

main().catch((error: Error) => {
  // Start-up errors are for a human: one clear message, no stack for the expected ones.
  const expected = EXPECTED.some((E) => error instanceof E);
  process.stderr.write(`ketenstatus: cannot start: ${expected ? error.message : error.stack}\n`);
  process.exit(1);
});
