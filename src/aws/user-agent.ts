/**
 * The user agent every AWS client of locksmith adds to the SDK's own: `locksmith/<version>`.
 * CloudTrail records it in each event's `userAgent` (after the SDK's `aws-sdk-js/…` part), so a
 * security team can recognise, and allow-list, the calls locksmith makes for people; see
 * docs/deployment.md ("Recognising locksmith in CloudTrail").
 */
import { readFileSync } from 'node:fs';

export const USER_AGENT_NAME = 'locksmith';

let cached: string | undefined;

/**
 * `locksmith/<version>`, the version from the package.json beside `src/` or `dist/` (both sit
 * one level below it, in the repository and in the image), or one level higher for the copy of
 * the bot that `npm run sandbox` builds into `dist-sandbox/src/`. Read once, on first use.
 */
export function locksmithUserAgent(): string {
  if (cached === undefined) {
    let version = 'unknown';
    for (const path of ['../../package.json', '../../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version?: unknown };
        if (typeof pkg.version === 'string' && /^[\w.+-]+$/.test(pkg.version)) version = pkg.version;
        break;
      } catch {
        // Not there: the next place. A bundle without package.json still says it is locksmith.
      }
    }
    cached = `${USER_AGENT_NAME}/${version}`;
  }
  return cached;
}
