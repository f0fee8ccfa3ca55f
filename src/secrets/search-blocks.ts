/**
 * Block Kit for finding a secret: the `/secret list WORDS` search result, and the "Did you
 * mean…?" buttons under a not-found. Pure; names and descriptions are escaped.
 */
import { z } from 'zod';
import {
  actions,
  type Block,
  button,
  context,
  LIMITS,
  type SlackMessage,
  section,
} from '../slack/block-kit.js';
import { codec } from '../slack/interaction-kit.js';
import { code, escapeMrkdwn, slackDate } from '../slack/mrkdwn.js';
import { plural } from '../core/text.js';
import { ACTIONS_SUGGEST_GET, BLOCK_SUGGEST_ACTIONS } from './ids.js';
import type { SearchHit, SearchResult } from './secret-search.js';

/** What a suggestion button carries: the name to show, under the role the search ran as. */
export interface SuggestRef {
  n: string;
  r: string;
}

export function encodeSuggestRef(ref: SuggestRef): string {
  return JSON.stringify(ref);
}

const suggestRef = codec(z.object({ n: z.string(), r: z.string() }));

export function parseSuggestRef(text: string | undefined): SuggestRef | undefined {
  return suggestRef.decode(text);
}

function where(hit: SearchHit): string {
  switch (hit.matched.in) {
    case 'name':
      return '';
    case 'description':
      return ' _(matched in the description)_';
    case 'tag':
      return ` _(matched tag ${code(`${hit.matched.key}: ${hit.matched.value}`.slice(0, 80))})_`;
  }
}

/** `/secret list WORDS`: the secrets whose name, description or tags match, as the console finds them. */
export function buildSearchMessage(
  result: SearchResult,
  roleName: string,
  query: string,
  limit: number,
): SlackMessage {
  const title = `Secrets matching ${code(query)} (name, description or tags)`;
  if (result.items.length === 0) {
    return {
      text: `No secrets match ${query}`,
      blocks: [
        section(`${title} visible to role ${code(roleName)}: none found.`),
        context('Words match from their start, in any order: `/secret list fast` finds `2ndline/fastly`.'),
      ],
    };
  }
  const shown = result.items.slice(0, limit);
  const sections = secretListSections(shown, where);
  const more = result.items.length - shown.length;
  const count = result.capped ? `${result.total}+` : String(result.total);
  const footer =
    more > 0 || result.capped
      ? `Showing ${shown.length} of ${count}. Add a word to narrow it, e.g. \`/secret list ${escapeMrkdwn(query)} prod\`.`
      : `${plural(result.total, 'secret')}. \`/secret get NAME\` shows one.`;
  return {
    text: `${plural(result.total, 'secret')} matching ${query}`,
    blocks: [section(`${title} visible to role ${code(roleName)}:`), ...sections, context(footer)],
  };
}

/**
 * A not-found answer with the closest names the role can list, each a button that shows it
 * ("Did you mean `2ndline/fastly`?"). Without suggestions, the not-found message as it was.
 */
export function buildNotFoundMessage(
  notFound: string,
  suggestions: readonly string[],
  roleName: string,
): SlackMessage {
  const lead = section(`:warning: ${notFound}`);
  if (!suggestions.length) return { text: notFound, blocks: [lead] };
  const names = suggestions.slice(0, ACTIONS_SUGGEST_GET.length);
  const question =
    names.length === 1
      ? `Did you mean ${code(names[0]!)}?`
      : `Did you mean ${names.slice(0, -1).map(code).join(', ')} or ${code(names.at(-1)!)}?`;
  return {
    text: `${notFound} Did you mean ${names.join(', ')}?`,
    blocks: [
      lead,
      section(question),
      actions(
        BLOCK_SUGGEST_ACTIONS,
        ...names.map((name, i) =>
          button(
            `Show ${name}`.slice(0, 75),
            ACTIONS_SUGGEST_GET[i]!,
            encodeSuggestRef({ n: name, r: roleName }),
          ),
        ),
      ),
      context(`Names your role \`${escapeMrkdwn(roleName)}\` can list; nothing was read.`),
    ],
  };
}

/**
 * Listed secrets, one line each (name, where it matched, description, last change), packed into
 * as few sections as Slack's text limit allows. Shared by `/secret list` with and without words.
 */
export function secretListSections<
  T extends { name: string; description?: string | undefined; changedAt?: Date | undefined },
>(items: T[], where: (s: T) => string = () => ''): Block[] {
  const lines = items.map((s) => {
    const parts = [`• ${code(s.name)}${where(s)}`];
    if (s.description) parts.push(escapeMrkdwn(s.description.slice(0, 120)));
    if (s.changedAt) parts.push(`_changed ${slackDate(s.changedAt, '{date_short}')}_`);
    return parts.join(' · ');
  });
  const sections: Block[] = [];
  let current = '';
  for (const line of lines) {
    if (current.length + line.length + 1 > LIMITS.sectionText - 100) {
      sections.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) sections.push(section(current));
  return sections;
}
