/** The reply to `/rotate-key help` (and a bare `/rotate-key` where no picker is available). */
import { section, type SlackMessage } from '../../slack/block-kit.js';

export function buildHelpMessage(): SlackMessage {
  return {
    text: 'How to use /rotate-key',
    blocks: [
      section(
        [
          '*/rotate-key USER [--role ROLE]*: rotate the access key of IAM user `USER`, step by step, under your role.',
          'locksmith shows the keys, finds the secrets that hold the key, creates the new key and writes it there, waits until the old key is unused, tells 2ndline and asks for approval, deactivates the old key, and after a grace period deletes it. You follow it in a DM from locksmith; every step can be cancelled (and is undone) until the old key is deleted.',
          '*/rotate-key* (no user): pick the role and the IAM user in a window.',
          "*/rotate-key due [--role ROLE]*: keys older than the maximum age, users with two keys, unused and inactive keys, and rotations in progress, from IAM's credential report; *Open* reads a user's keys and offers *Start rotation*.",
          '*/rotate-key index [--role ROLE]*: once per account, read every secret and parameter and tag those that hold a key, so rotations find their places without reading anything.',
          'SES SMTP users (by `rotation.smtp_users` or their tag) are replaced by a new user instead, step by step.',
        ].join('\n'),
      ),
    ],
  };
}
