/**
 * `/rotate-key index`: the prompt (what indexing reads, why it may alert the security team, and
 * the button that starts it) and the result. Pure.
 */
import { button, context, section, type SlackMessage } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { IndexResult } from '../core/locate.js';
import { searchGaps } from '../core/rotation.js';
import { withConfirm } from './confirm-dialog.js';
import { ACTION_INDEX_START, encodeIndexStart } from './ids.js';
import { plural } from '../../core/text.js';

/** The reply to `/rotate-key index`: nothing is read until the button is pressed. */
export function buildIndexPrompt(roleName: string, account: string): SlackMessage {
  const start = section(
    `*Index account ${escapeMrkdwn(account)} for key rotation* (role ${code(roleName)})\n` +
      "locksmith reads every secret and parameter your role can read, once (20 secrets a call, paced well under AWS's limits), and tags each one that holds an access key id with `locksmith:access-key-id`. After that, `/rotate-key` finds where a key is kept by its tag, without reading any value.",
  );
  start.accessory = withConfirm(
    button('Index this account', ACTION_INDEX_START, encodeIndexStart(roleName), 'danger'),
    {
      title: 'Read every secret?',
      text: 'Reading many secrets at once is what credential-harvesting alerts look for: your security team may be paged. The calls carry `locksmith/` in their user agent and your name as their source identity (docs/deployment.md says how they recognise it).',
      confirm: 'Index it',
    },
  );
  return {
    text: `Index account ${account} for key rotation`,
    blocks: [
      start,
      context(
        'Needs secretsmanager:ListSecrets, BatchGetSecretValue and TagResource, and ssm:GetParametersByPath and AddTagsToResource (docs/iam.md).',
      ),
    ],
  };
}

/** The result: what was read, what was tagged, what could not be covered. */
export function buildIndexResult(roleName: string, r: IndexResult, tookMs: number): SlackMessage {
  const lines = [
    `:white_check_mark: *Indexed* (role ${code(roleName)}, ${Math.round(tookMs / 1000)} s): read ${r.secrets.read} of ${plural(r.secrets.listed, 'secret')} and ${r.parameters.read} of ${plural(r.parameters.listed, 'parameter')}.`,
    `${r.places} hold an access key id: ${r.tagged} tagged now, ${r.alreadyTagged} were tagged already.`,
  ];
  if (r.several.length) {
    lines.push(
      `${r.several.length} hold several key ids and were tagged with the first (${r.several.slice(0, 5).map(code).join(', ')}${r.several.length > 5 ? ', …' : ''}); the others' rotations find them with *Search all secrets…*.`,
    );
  }
  if (r.untagged.length) {
    lines.push(
      `:warning: Not tagged: ${escapeMrkdwn(r.untagged.slice(0, 5).join('; '))}${r.untagged.length > 5 ? ' …' : ''}.`,
    );
  }
  const gaps = searchGaps({ mode: 'full', at: 0, secrets: r.secrets, parameters: r.parameters, tagged: 0 });
  if (gaps.length) lines.push(`:warning: Not covered: ${escapeMrkdwn(gaps.join('; '))}.`);
  return { text: `Indexed: ${plural(r.tagged, 'place')} tagged`, blocks: [section(lines.join('\n'))] };
}
