/**
 * Entry point: environment and config file → dependencies → start. Nothing else happens here.
 * A configuration problem is one readable line (or one per field) and exit code 2; no stack.
 */
import { createApp } from './app.js';
import { buildDeps } from './build-deps.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { SlackAppTokenError } from './slack/receiver.js';
import { StoreError } from './store/store.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`locksmith: ${err.message.split('\n').join('\nlocksmith: ')}`);
      process.exit(2);
    }
    throw err;
  }
  let deps: ReturnType<typeof buildDeps>;
  try {
    deps = buildDeps(config);
  } catch (err) {
    if (err instanceof StoreError) {
      console.error(`locksmith: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const { logger } = deps;
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: { message: (reason as Error)?.message, stack: (reason as Error)?.stack } },
      'unhandled rejection',
    );
  });
  const app = createApp(deps);
  const startedAt = performance.now();
  let port: number;
  try {
    ({ port } = await app.start());
  } catch (err) {
    const e = err as {
      code?: string;
      data?: { error?: string };
      message?: string;
      original?: { message?: string; cause?: { code?: string; message?: string } };
      statusCode?: number;
    };
    // Start-up checks the bot token with Slack's auth.test before anything listens: say that,
    // and where it was sent, rather than the Web API client's bare "fetch failed".
    const authTest = `auth.test at ${config.slackApiUrl ?? 'https://slack.com/api/'}`;
    const cause = e.original?.cause?.code ?? e.original?.cause?.message ?? e.original?.message;
    const why =
      e.code === 'slack_webapi_request_error'
        ? `could not reach Slack to check the bot token (${authTest}${cause ? `: ${cause}` : ''}). Check that this host can open HTTPS connections to slack.com (DNS, proxy, firewall), then start again`
        : e.code === 'slack_webapi_http_error'
          ? `Slack answered HTTP ${e.statusCode ?? '?'} while locksmith was checking the bot token (${authTest}): Slack may be down (https://slack-status.com); start again later`
          : e.code === 'EADDRINUSE'
            ? `port ${config.transport.kind === 'http' ? config.transport.port : config.transport.healthPort} is already in use: set PORT to a free port`
            : err instanceof SlackAppTokenError
              ? `Slack refused the app-level token (${err.slackError}): check SLACK_APP_TOKEN (the xapp-… token of this app, with the connections:write scope)`
              : e.data?.error
                ? `Slack refused the bot token (${e.data.error}): check SLACK_BOT_TOKEN`
                : `could not start (${e.message ?? 'unknown error'})`;
    console.error(`locksmith: ${why}`);
    process.exit(1);
  }
  logger.info(
    { transport: config.transport.kind, port, startup_ms: Math.round(performance.now() - startedAt) },
    `locksmith ready (${config.transport.kind === 'http' ? `HTTP on :${port}/slack/events` : `Socket Mode, health on :${port}`})`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app
      .stop()
      .then(() => deps.store.close())
      .catch((err: Error) => logger.error({ err: { message: err.message } }, 'error during shutdown'))
      .finally(() => {
        logger.flush?.();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
