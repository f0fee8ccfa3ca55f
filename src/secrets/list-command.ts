/**
 * `/secret list [WORDS]`: the secrets the person's role can see, under their own session, audited.
 * Words search names, descriptions and tags as the console does (secret-search.ts); Parameter
 * Store paths and the bare list page through names (secret-reader.ts). No value is read.
 */
import type { AuditEvent } from '../audit/audit-events.js';
import { audited } from '../audit/audited.js';
import { isParameterName } from '../aws/secret-names.js';
import type { Deps } from '../deps.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { buildListMessage } from './reveal-blocks.js';
import { buildSearchMessage } from './search-blocks.js';
import { listSecrets } from './secret-reader.js';
import { searchSecrets } from './secret-search.js';

export async function listForPerson(
  deps: Deps,
  person: { user: string; team: string },
  words: string | undefined,
  role: string | undefined,
): Promise<SlackMessage> {
  const { audit, callers, config } = deps;
  const event: AuditEvent = {
    action: 'secret.list',
    outcome: 'ok',
    person: { slack_id: person.user, team_id: person.team },
    target: words ?? '*',
  };
  return audited(audit, event, async () => {
    const caller = await callers.resolve(person.user, person.team, role);
    event.person.email = caller.person.email;
    event.role = caller.role;
    if (words !== undefined && !isParameterName(words)) {
      const found = await searchSecrets(caller.session, words);
      event.count = found.total;
      return buildSearchMessage(found, caller.role.name, words, config.secrets.list_limit);
    }
    const result = await listSecrets(caller.session, words);
    event.count = result.total;
    return buildListMessage(result, caller.role.name, words, config.secrets.list_limit);
  });
}
