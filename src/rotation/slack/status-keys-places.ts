/**
 * The status message's sections about what a rotation found: the user's keys (age, last use,
 * verdict) and the places the key is kept (secrets found and how, the search and its gaps, the
 * checklist of places outside AWS, what is not ticked off yet). Pure; data is escaped.
 */
import type { KeyFact } from '../core/key-facts.js';
import {
  type Rotation,
  type RotationConfig,
  searchComplete,
  searchGaps,
  type SecretPlace,
  untickedPlaces,
} from '../core/workflow/index.js';
import { type Block, context, LIMITS, section } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { plural } from '../../core/text.js';
import { date, linkTo, sections, who } from './message-parts.js';

const VERDICT: Record<KeyFact['verdict'], string> = {
  ok: ':white_check_mark: within the maximum age',
  due: ':large_yellow_circle: due for rotation soon',
  overdue: ':red_circle: overdue',
  'unused-old': ':zzz: never used, older than 7 days',
};

/** One line per key: id, status, created, age, last use, verdict. */
export function keyLine(key: KeyFact, rotation: Rotation, maxKeyAgeDays: number): string {
  const role =
    key.id === rotation.newKeyId ? ' (new)' : key.id === rotation.oldKeyId ? ' (being rotated)' : '';
  const used =
    key.lastUsed === 'never'
      ? 'never used'
      : `last used ${date(key.lastUsed.at)} (${escapeMrkdwn(key.lastUsed.service)}, ${escapeMrkdwn(key.lastUsed.region)})`;
  const days = plural(key.ageDays, 'day');
  return (
    `• ${code(key.id)}${role} · ${key.status} · created ${date(key.createdAt)} (${days} old) · ${used} · ` +
    `${VERDICT[key.verdict]}${key.verdict === 'overdue' || key.verdict === 'due' ? ` (max ${plural(maxKeyAgeDays, 'day')})` : ''}`
  );
}

export function keysBlock(rotation: Rotation, config: RotationConfig): Block[] {
  if (rotation.keys.length === 0) return [];
  const lines = rotation.keys.map((k) => keyLine(k, rotation, config.maxKeyAgeDays));
  return [section(`*Keys of ${code(rotation.userName)} when the rotation started*\n${lines.join('\n')}`)];
}

const FOUND_BY: Record<NonNullable<SecretPlace['found']>, string> = {
  tag: 'found by its tag',
  remembered: 'remembered from an earlier rotation',
  scan: 'found by reading it',
};

function secretLines(rotation: Rotation): string[] {
  return rotation.places.secrets.map((s) => {
    if (!s.updatable) {
      return `• ${code(s.name)}: :pencil2: not updated automatically (${escapeMrkdwn(s.reason ?? 'unknown layout')}); on the checklist`;
    }
    const fields = s.idFields.length
      ? `fields ${s.idFields.map(code).join(', ')} / ${s.secretFields.map(code).join(', ')}`
      : 'fields found when the key is written';
    const how = s.found && s.found !== 'scan' ? `; ${FOUND_BY[s.found]}` : '';
    const mark = !rotation.places.confirmed
      ? ':ballot_box_with_check:'
      : !s.selected
        ? ':heavy_minus_sign: left as it is:'
        : s.restored === 'restored'
          ? ':leftwards_arrow_with_hook: restored:'
          : s.written
            ? ':white_check_mark: updated:'
            : ':hourglass_flowing_sand:';
    const untagged = s.untagged ? ` (not tagged: ${escapeMrkdwn(s.untagged)})` : '';
    const guarded = s.guarded ? ' :lock: guarded: written after an approval, shown to nobody' : '';
    return `• ${mark} ${code(s.name)} (${fields}${how})${untagged}${guarded}`;
  });
}

/**
 * What a guarded place changes (issue 14, item 5): an approver first, and the new pair is
 * write-only, so checklist places cannot get it from locksmith.
 */
export function guardedNote(r: Rotation): string {
  if (!r.places.secrets.some((s) => s.guarded && s.updatable)) {
    return 'Places on the checklist get the new key from a window only you see, once.';
  }
  return (
    ':lock: Writing into a guarded place needs an approver first (asked when you confirm), and then the new key is shown to nobody, ' +
    'not even you: places on the checklist would need it read from the guarded secret, which is itself approved and audited.'
  );
}

/** How the places were searched, and what that did not cover. */
function searchLines(rotation: Rotation): { summary: string; gaps: string[] } {
  const { places } = rotation;
  const search = places.search;
  if (!search) {
    return {
      summary:
        places.scanned !== undefined
          ? `Searched ${places.scanned} secret${places.scanned === 1 ? '' : 's'} your role can list` +
            (places.unreadable ? `; ${places.unreadable} could not be read` : '') +
            '.'
          : '',
      gaps: [],
    };
  }
  const summary =
    search.mode === 'indexed'
      ? `Looked up by locksmith's \`locksmith:access-key-id\` tag and the places remembered from earlier rotations: no secret or parameter value was read.`
      : `Read ${search.secrets.read} of ${plural(search.secrets.listed, 'secret')} and ${search.parameters.read} of ${plural(search.parameters.listed, 'parameter')} your role can list` +
        (search.newlyTagged
          ? `; tagged ${search.newlyTagged} so the next rotation finds them without reading anything`
          : '') +
        '.';
  return { summary, gaps: searchComplete(search) ? [] : searchGaps(search) };
}

function checklistLines(rotation: Rotation): string[] {
  return rotation.places.checklist.map((p) => {
    const name = p.link ? linkTo(p.link, p.name) : code(p.name);
    const note = p.note ? ` (${escapeMrkdwn(p.note)})` : '';
    if (rotation.places.confirmed && !p.selected) return `• :heavy_minus_sign: ${name}${note}: left out`;
    if (p.ticked)
      return `• :white_check_mark: ${name}${note}: updated by ${who(p.ticked.by)} ${date(p.ticked.at)}`;
    return `• :black_square_button: ${name}${note}: update by hand`;
  });
}

export function placesBlocks(rotation: Rotation): Block[] {
  const { places } = rotation;
  if (!places.located || (rotation.newKeyId && !rotation.newKeyCreatedHere)) return [];
  const blocks: Block[] = [];
  const secrets = secretLines(rotation);
  blocks.push(
    ...sections(
      `*Secrets and parameters that hold ${code(rotation.oldKeyId ?? '')}*`,
      secrets.length ? secrets : ['_none found_'],
      4,
    ),
  );
  const checklist = checklistLines(rotation);
  if (checklist.length) blocks.push(...sections('*Checklist: places updated by hand*', checklist, 3));
  if (places.note)
    blocks.push(context(`:memo: *Where this key lives (note):* ${escapeMrkdwn(places.note.slice(0, 1500))}`));
  const { summary, gaps } = searchLines(rotation);
  if (summary) blocks.push(context(summary));
  if (gaps.length) {
    const ack = places.acknowledged
      ? ` Acknowledged by ${who(places.acknowledged.by)} ${date(places.acknowledged.at)}.`
      : rotation.state === 'confirm-places' || rotation.state === 'locate'
        ? ' Deactivating the old key will wait until you acknowledge this (or search everything).'
        : ' Deactivating the old key waits until you acknowledge this.';
    blocks.push(
      section(
        `:warning: *Not every place that could hold the key was searched:* ${escapeMrkdwn(gaps.join('; '))}.${ack}`.slice(
          0,
          LIMITS.sectionText,
        ),
      ),
    );
  }
  return blocks;
}

export function untickedWarning(r: Rotation, before: string): string {
  const open = untickedPlaces(r);
  if (!open.length) return '';
  return `${before}:warning: *Not ticked off as updated yet:* ${open.map(escapeMrkdwn).join(', ')}. If ${open.length === 1 ? 'it still uses' : 'they still use'} the old key, ${open.length === 1 ? 'it breaks' : 'they break'} when the key is deactivated: put the new key there and press *Done* first.`;
}
