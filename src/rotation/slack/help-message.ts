/** The reply to `/rotate-key help` (and a bare `/rotate-key` where no picker is available). */
import { section, type SlackMessage } from '../../slack/block-kit.js';

/** `commandLines`: /rotate-key's usage lines, from its command table (manifest.ts). */
export function buildHelpMessage(commandLines: readonly string[]): SlackMessage {
  return {
    text: 'How to use /rotate-key',
    blocks: [
      section(
        [
          ...commandLines,
          'locksmith shows the keys, finds the secrets that hold the key, creates the new key and writes it there, waits until the old key is unused, tells 2ndline and asks for approval, deactivates the old key, and after a grace period deletes it. You follow it in a DM from locksmith; every step can be cancelled (and is undone) until the old key is deleted.',
          'SES SMTP users (by `rotation.smtp_users` or their tag) are replaced by a new user instead, step by step.',
        ].join('\n'),
      ),
    ],
  };
}
