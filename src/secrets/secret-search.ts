/**
 * Finding a secret as the console does (issue 18): `/secret list WORDS` searches names,
 * descriptions and tags with ListSecrets' `all` filter, and a `/secret get` of a name that does
 * not exist offers the closest names the role can list ("Did you mean `2ndline/fastly`?").
 * ListSecrets returns names, descriptions and tags, never a value, so neither reads a secret.
 * Domain code: no Slack.
 */
import { paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import { UserError } from '../core/errors.js';
import type { PersonSession } from '../identity/sessions.js';
import { type SecretList, type SecretSummary, secretsError } from './secret-reader.js';

/** Where a search hit matched, said next to it when it is not the name. */
export interface SearchHit extends SecretSummary {
  /** The first attribute that matched: `name`, `description` or a tag (`key=value`). */
  matched: { in: 'name' } | { in: 'description' } | { in: 'tag'; key: string; value: string };
}

export interface SearchResult extends SecretList {
  items: SearchHit[];
}

/**
 * What AWS accepts as a filter value (API reference, Filter: Values, FilterValueStringType):
 * letters, digits, spaces and `: _ @ / + = . -`, up to 512 characters; a leading `!` negates,
 * which a search box does not need.
 */
const FILTER_VALUE = /^[A-Za-z0-9 :_@/+=.-]{1,512}$/;

/**
 * The words ListSecrets' `all` filter matches on: it "breaks the filter value string into words
 * and then searches all attributes for matches. Not case-sensitive." Words of a name are split
 * at its punctuation (`2ndline/fastly` → `2ndline`, `fastly`); a word matches as a prefix.
 */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s/_+=.@:-]+/)
    .filter(Boolean);
}

/** True when every word of `query` starts a word of `text` (how `all` matches one attribute). */
export function matchesWords(query: string, text: string): boolean {
  const wanted = words(query);
  const have = words(text);
  return wanted.length > 0 && wanted.every((w) => have.some((h) => h.startsWith(w)));
}

function whereMatched(
  query: string,
  s: { name: string; description?: string | undefined; tags: Array<{ key: string; value: string }> },
): SearchHit['matched'] {
  if (matchesWords(query, s.name) || s.name.startsWith(query)) return { in: 'name' };
  if (s.description && matchesWords(query, s.description)) return { in: 'description' };
  const tag = s.tags.find((t) => matchesWords(query, t.key) || matchesWords(query, t.value));
  // AWS matched it somewhere; if our reading of its rule differs, say "name" rather than guess.
  return tag ? { in: 'tag', key: tag.key, value: tag.value } : { in: 'name' };
}

interface Listed {
  name: string;
  description?: string | undefined;
  changedAt?: Date | undefined;
  tags: Array<{ key: string; value: string }>;
}

/** Pages of ListSecrets with `filters`, up to `scanCap` secrets; never a value. */
async function listPages(
  session: PersonSession,
  filters: Array<{ Key: 'all'; Values: string[] }> | undefined,
  scanCap: number,
  what: string,
): Promise<{ items: Listed[]; capped: boolean }> {
  const items: Listed[] = [];
  let capped = false;
  const pages = paginateListSecrets(
    { client: session.clients.secretsManager },
    { MaxResults: 100, Filters: filters, SortOrder: 'asc' },
  );
  try {
    for await (const page of pages) {
      for (const s of page.SecretList ?? []) {
        if (!s.Name) continue;
        items.push({
          name: s.Name,
          description: s.Description || undefined,
          changedAt: s.LastChangedDate,
          tags: (s.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
        });
      }
      if (items.length >= scanCap && page.NextToken) {
        capped = true;
        break;
      }
    }
  } catch (err) {
    // Only the paginator's requests throw here: the loop's body makes no call.
    throw secretsError(err, session, what, 'list');
  }
  return { items, capped };
}

/**
 * The secrets whose name, description or tags match `query`, as the console's search box finds
 * them (ListSecrets with the `all` filter). Names that start with the query come first.
 *
 * @throws UserError `bad_command` for text AWS would refuse as a filter; the list errors of
 *   {@link secretsError} otherwise.
 */
export async function searchSecrets(
  session: PersonSession,
  query: string,
  scanCap = 1000,
): Promise<SearchResult> {
  if (!FILTER_VALUE.test(query) || words(query).length === 0) {
    throw new UserError(
      'bad_command',
      'Search with letters, digits and / _ + = . @ : - (up to 512 characters), e.g. `/secret list fastly`.',
    );
  }
  const { items, capped } = await listPages(session, [{ Key: 'all', Values: [query] }], scanCap, query);
  const hits: SearchHit[] = items.map((s) => ({
    name: s.name,
    description: s.description,
    changedAt: s.changedAt,
    matched: whereMatched(query, s),
  }));
  const byName = (h: SearchHit) => (h.name.startsWith(query) ? 0 : h.matched.in === 'name' ? 1 : 2);
  hits.sort((a, b) => byName(a) - byName(b) || a.name.localeCompare(b.name));
  return { items: hits, total: hits.length, capped };
}

/**
 * Edit distance, case-insensitive, with a swap of two neighbours counting as one edit (the
 * commonest typo: `fastyl`); stops early once past `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    before = prev;
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * The names among `names` closest to what was typed, best first, at most `max`. A name is close
 * when it contains every word typed (`fastly` → `2ndline/fastly`), or when the typed text is a
 * small edit away from the whole name or from its last part (`2ndline/fastyl`, `fastyl`).
 */
export function rankSuggestions(typed: string, names: readonly string[], max = 3): string[] {
  const lower = typed.toLowerCase();
  // Secret names are case-sensitive: the same name in another case is the one meant.
  const sameButCase = names.filter((n) => n !== typed && n.toLowerCase() === lower);
  if (sameButCase.length) return sameButCase.slice(0, max);
  const allowed = Math.max(1, Math.floor(typed.length / 4));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of names) {
    if (name === typed) continue;
    if (name.toLowerCase() === lower) {
      scored.push({ name, score: 0 });
      continue;
    }
    const last = name.slice(name.lastIndexOf('/') + 1);
    if (matchesWords(typed, name)) {
      // Every typed word begins a word of the name: the closer in length, the better.
      scored.push({ name, score: 1 + (name.length - typed.length) / 1000 });
      continue;
    }
    const distance = Math.min(editDistance(typed, name, allowed), editDistance(typed, last, allowed));
    if (distance <= allowed) scored.push({ name, score: 2 + distance });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/**
 * Names the role can list that are close to `typed`, for a "Did you mean…?" after a not-found.
 * First the console's search (the `all` filter on the words typed), then, when that finds
 * nothing, the names of up to `scanCap` secrets ranked by spelling. Never reads a value; a role
 * that may not list gets no suggestion rather than an error (the not-found is the answer).
 */
export async function suggestSecretNames(
  session: PersonSession,
  typed: string,
  options: { max?: number; scanCap?: number } = {},
): Promise<string[]> {
  const max = options.max ?? 3;
  try {
    const query = words(typed).join(' ');
    if (query && FILTER_VALUE.test(query)) {
      const found = await listPages(session, [{ Key: 'all', Values: [query] }], 100, typed);
      const names = found.items.map((s) => s.name).filter((n) => n !== typed);
      // Names close to what was typed first, then what matched in a description or a tag.
      const close = rankSuggestions(typed, names, max);
      const rest = names.filter((n) => !close.includes(n)).sort();
      const suggested = [...close, ...rest].slice(0, max);
      if (suggested.length) return suggested;
    }
    const all = await listPages(session, undefined, options.scanCap ?? 500, typed);
    return rankSuggestions(
      typed,
      all.items.map((s) => s.name),
      max,
    );
  } catch {
    return [];
  }
}
