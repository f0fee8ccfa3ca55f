/**
 * "Did you mean `2ndline/fastly`?" (issue 18): the Slack side of a `/secret get` for a name that
 * does not exist. The names come from secret-search.ts (the role's ListSecrets, no value read);
 * here they become buttons in the reveal window; a click shows the chosen secret in that same
 * window, through the same reveal as `/secret get` (createSuggestionHandler in secret-reveal.ts).
 */
import type { View } from '@slack/types';
import { isUserError } from '../core/errors.js';
import type { Caller } from '../identity/caller.js';
import { buildNoticeView } from '../reveal/window-views.js';
import { buildNotFoundMessage } from './search-blocks.js';
import { suggestSecretNames } from './secret-search.js';

/**
 * The window to show instead of a plain not-found, when `err` is one and the role can list names
 * close to `typed`; undefined otherwise (the error is then shown as it is).
 */
export async function suggestionsView(
  caller: Pick<Caller, 'session' | 'role'>,
  typed: string,
  err: unknown,
  title: string,
): Promise<View | undefined> {
  if (!isUserError(err) || err.code !== 'secret_not_found') return undefined;
  const names = await suggestSecretNames(caller.session, typed);
  if (!names.length) return undefined;
  return buildNoticeView(title, buildNotFoundMessage(err.message, names, caller.role.name).blocks);
}
