/**
 * `npm run sandbox`: the whole bot on this machine, driven from a browser page that stands in
 * for Slack. Options: --port N (default 3000), --sandbox FILE (default examples/sandbox.yml),
 * --config FILE (default examples/sandbox.locksmith.yml), --python PATH (the Python with moto).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../src/config.js';
import { MotoNotInstalledError } from '../devkit/moto.js';
import { SandboxFileError } from './sandbox-file.js';
import { type Sandbox, SandboxStartError, startSandbox } from './sandbox.js';

function fail(message: string): never {
  console.error(`sandbox: ${message.split('\n').join('\nsandbox: ')}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    ({ values: args } = parseArgs({
      options: {
        port: { type: 'string', default: '3000' },
        sandbox: { type: 'string', default: 'examples/sandbox.yml' },
        config: { type: 'string', default: 'examples/sandbox.locksmith.yml' },
        python: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (err) {
    fail(`${(err as Error).message} (options: --port N, --sandbox FILE, --config FILE, --python PATH)`);
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${args.port} is not a port number`);

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port,
      sandboxFile: args.sandbox,
      configFile: args.config,
      python: args.python,
      logLevel: args['log-level'],
    });
  } catch (err) {
    if (err instanceof SandboxFileError || err instanceof SandboxStartError) fail(err.message);
    if (err instanceof ConfigError) fail(err.message);
    if (err instanceof MotoNotInstalledError)
      fail(
        `${err.message}\nmoto is the open-source AWS emulator the sandbox runs AWS in (or give --python PATH to a Python that has it)`,
      );
    fail(`could not start: ${(err as Error).message}`);
  }

  const { people } = sandbox.file.slack;
  console.log(`
locksmith sandbox is running: open ${sandbox.url}

  Slack is the page; AWS is moto on loopback; the bot is the real one, in HTTP mode, with
  ${args.config}. Bot log (JSON lines): ${sandbox.logFile}

Try first, as ${people[0]?.real_name ?? 'the first person'}:
  /secret get shared/grafana-admin     the value, only for you; it hides itself after a minute
  /totp shared/pagerduty               the current code and the next one
  /secret list pagerduty               search names, descriptions and tags, as the console does
  /secret get grafana                  not a name: "Did you mean shared/grafana-admin?"
  /secret who shared/grafana-admin     who read or changed it, from CloudTrail (moto's event history)
  /secret get prod/db-root             guarded: ask, then approve as ${people[1]?.real_name ?? 'the approver'}
  /rotate-key ci-deploy                a full rotation; use the clock and "use key" on the right
${people[2] ? `Then be ${people[2].real_name}: the same commands are refused.\n` : ''}
Stop with Ctrl+C.`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox
      .stop()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
