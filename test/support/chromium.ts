/**
 * Finds Chromium for the browser tests, installing Debian's package when it is missing and we
 * may (root with apt-get, as in CI). playwright-core never downloads a browser here: it drives
 * this one through its executablePath.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** The path of a Chromium binary; installs Debian's `chromium` (and an emoji font) if needed. */
export function findOrInstallChromium(): string {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`CHROMIUM_PATH=${wanted} does not exist`);
    return wanted;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      'the sandbox browser tests need Chromium: install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH',
    );
  }
  console.error('browser tests: installing Debian chromium (once per machine)…');
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', 'chromium', 'fonts-noto-color-emoji']);
  return CANDIDATES.find((p) => existsSync(p)) ?? '/usr/bin/chromium';
}

/**
 * Headless Chromium (Playwright gives it a fresh profile) with the flags this machine's closed network needs: without the
 * background-networking ones it keeps trying to reach Google's hosts.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findOrInstallChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
