import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfigFile } from '../../../src/config.js';
import { checkMessageContent, checkView } from '../../../devkit/block-kit-limits.js';
import type { KeyFact } from '../../../src/rotation/core/key-facts.js';
import {
  baseAction,
  clickEventId,
  decodeValue,
  rotationIdFor,
  statusMessageOf,
} from '../../../src/rotation/slack/ids.js';
import { buildNotifyPost, buildThreadNote } from '../../../src/rotation/slack/thread-notes.js';
import { buildPlacesView, buildRevealView } from '../../../src/rotation/slack/rotation-modals.js';
import { buildStatusMessage, type StatusContext } from '../../../src/rotation/slack/status-message.js';
import { keyLine } from '../../../src/rotation/slack/status-keys-places.js';
import { toRotationConfig } from '../../../src/rotation/service/config.js';
import { type Rotation, rotationConfig } from '../../../src/rotation/core/workflow/index.js';

const NOW = Date.parse('2026-11-23T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const OLD = 'AKIAOLDKEYEXAMPLE001';
const NEW = 'AKIANEWKEYEXAMPLE002';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function key(id: string, extra: Partial<KeyFact> = {}): KeyFact {
  return {
    id,
    status: 'Active',
    createdAt: NOW - 120 * DAY,
    ageDays: 120,
    lastUsed: { at: NOW - DAY, service: 'sts', region: 'eu-west-1' },
    verdict: 'overdue',
    ...extra,
  };
}

function rotation(extra: Partial<Rotation> = {}): Rotation {
  return {
    id: rotationIdFor('D0ALICE', '1795414935.000100'),
    role: { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' },
    userName: 'svc-deploy',
    requester: { slackId: 'U0ALICE', teamId: 'T1', email: 'alice@example.com' },
    state: 'confirm-places',
    createdAt: NOW - 60_000,
    keys: [key(OLD)],
    oldKeyId: OLD,
    newKeyCreatedHere: false,
    places: {
      located: true,
      confirmed: false,
      secrets: [
        {
          name: 'app/deploy',
          updatable: true,
          layout: {
            format: 'json',
            container: [],
            idFields: ['aws_access_key_id'],
            secretField: 'aws_secret_access_key',
          },
          idFields: ['aws_access_key_id'],
          secretFields: ['aws_secret_access_key'],
          selected: true,
        },
        {
          name: 'legacy/notes',
          updatable: false,
          reason: 'the key id is inside text locksmith does not know how to edit',
          idFields: [],
          secretFields: [],
          selected: false,
        },
      ],
      checklist: [
        { name: 'legacy/notes', source: 'secret', note: 'not editable', selected: true },
        {
          name: 'Datadog <!channel> & co',
          link: 'https://app.datadoghq.com/x?a=1&b=2',
          source: 'config',
          selected: true,
        },
      ],
      scanned: 12,
      unreadable: 1,
    },
    createAttempt: 0,
    approvalSeq: 0,
    history: [{ at: NOW - 60_000, by: 'U0ALICE', what: 'started rotating <@U0BOB> & <!here>' }],
    seenEventIds: [],
    ...extra,
  };
}

const ctx: StatusContext = {
  now: NOW,
  version: 7,
  config: rotationConfig(),
  approvalsChannel: 'C0APPROVALS',
  notifyChannel: 'C0SECONDLINE',
};

function buttons(blocks: unknown[]): Array<{ action_id: string; value: string; text: { text: string } }> {
  return blocks.flatMap((b) => {
    const block = b as { type: string; elements?: unknown[] };
    return block.type === 'actions'
      ? (block.elements as Array<{ action_id: string; value: string; text: { text: string } }>)
      : [];
  });
}

describe('rotation blocks', () => {
  it('lists a key with id, status, created, age, last use and verdict', () => {
    const line = keyLine(key(OLD), rotation(), 90);
    assert.match(
      line,
      new RegExp(
        `\`${OLD}\` \\(being rotated\\) · Active · created <!date\\^\\d+\\^[^|]+\\|2026-07-26 09:00 UTC> \\(120 days old\\)`,
      ),
    );
    assert.match(line, /last used <!date\^\d+\^[^>]+> \(sts, eu-west-1\)/);
    assert.match(line, /:red_circle: overdue \(max 90 days\)/);
    const never = keyLine(key(NEW, { lastUsed: 'never', verdict: 'unused-old', ageDays: 1 }), rotation(), 90);
    assert.match(never, /1 day old\) · never used · :zzz: never used, older than 7 days/);
  });

  it('offers the state’s buttons, each carrying the rotation and the version it was rendered from', () => {
    const message = buildStatusMessage(rotation(), ctx);
    const found = buttons(message.blocks);
    assert.deepEqual(
      found.map((b) => b.action_id),
      [
        'rotation_confirm_places',
        'rotation_choose_places',
        'rotation_rescan',
        'rotation_edit_home',
        'rotation_full_scan',
        'rotation_cancel',
      ],
    );
    for (const b of found.filter((x) => x.action_id !== 'rotation_edit_home')) {
      assert.deepEqual(decodeValue(b.value), { r: rotation().id, v: 7 });
    }
    assert.equal(checkMessageContent(message as never), undefined);
    // The same button on the same rendering is one event; a newer rendering is another.
    const v = decodeValue(found[0]!.value)!;
    assert.equal(
      clickEventId('rotation_confirm_places', v),
      clickEventId('rotation_confirm_places', { ...v }),
    );
    assert.notEqual(
      clickEventId('rotation_confirm_places', v),
      clickEventId('rotation_confirm_places', { ...v, v: 8 }),
    );
  });

  it('escapes data: names, notes and history can neither ping nor link', () => {
    const done = rotation({
      state: 'cancelled',
      outcome: { kind: 'cancelled', notes: ['Nothing had been changed in AWS yet.'] },
    });
    const shown = JSON.stringify(buildStatusMessage(done, ctx).blocks);
    assert.ok(!shown.includes('<!channel>') && !shown.includes('<!here>'));
    assert.match(shown, /Datadog &lt;!channel&gt; &amp; co/);
    assert.match(shown, /started rotating &lt;@U0BOB&gt; &amp; &lt;!here&gt;/);
    assert.match(shown, /<https:\/\/app\.datadoghq\.com\/x\?a=1%26b=2\|Datadog/);
  });

  it('in a final state shows the outcome and the history, and no button', () => {
    const done = rotation({
      state: 'done',
      newKeyId: NEW,
      outcome: { kind: 'done', notes: [`svc-deploy now has one key, ${NEW}.`] },
    });
    const message = buildStatusMessage(done, ctx);
    assert.equal(buttons(message.blocks).length, 0);
    const shown = JSON.stringify(message.blocks);
    assert.match(shown, /\*Done\.\*/);
    assert.match(shown, /What happened/);
    // Said once, in the outcome's notes (issue 18: it appeared twice).
    assert.equal(shown.split('now has one key').length - 1, 1);
  });

  it('says what the quiet count measures, and counts in words that agree with the number', () => {
    const sw = rotation({
      state: 'switch-over',
      newKeyId: NEW,
      newKeyCreatedHere: true,
      newKeyUsedAt: NOW - 60 * 60 * 1000,
      places: { ...rotation().places, confirmed: true },
      oldKeyLastUsedAt: NOW - 2 * 60 * 60 * 1000,
      quietSince: NOW - 30 * 60 * 1000,
      lastPolledAt: NOW,
    });
    const one = { ...ctx, config: { ...ctx.config, quietHours: 1, pollMinutes: 1 } };
    const shown = JSON.stringify(buildStatusMessage(sw, one).blocks);
    assert.match(shown, /has not been used for 1 hour\./);
    assert.match(shown, /no newer use seen by locksmith's checks since <!date[^>]+>: 0 of 1 hour/);
    assert.match(shown, /checked again every minute\./);
    assert.doesNotMatch(shown, /\b1 hours\b|every 1 minutes/);
  });

  it('asking for deactivation with a place outside AWS not ticked off: the person is told', () => {
    const waiting = rotation({
      state: 'notify-and-approve',
      newKeyId: NEW,
      newKeyCreatedHere: true,
      places: { ...rotation().places, confirmed: true },
      pendingApproval: {
        id: 'rot_D0ALICE_1795414935.000100:deactivate-key:1',
        action: 'deactivate-key',
        keyId: OLD,
        requestedAt: NOW,
        requestedBy: 'U0ALICE',
      },
    });
    const shown = JSON.stringify(buildStatusMessage(waiting, ctx).blocks);
    assert.match(shown, /Not ticked off as updated yet:\* .*Datadog &lt;!channel&gt; &amp; co/);
    // The request id is not in the person's text (issue 18).
    assert.doesNotMatch(shown, /deactivate-key:1/);
    const planned = buildThreadNote(
      waiting,
      {
        kind: 'deactivation-planned',
        keyId: OLD,
        userName: 'svc-deploy',
        why: 'quiet for 24 hours',
        needsApproval: true,
      },
      { graceDays: 7 },
    );
    assert.match(JSON.stringify(planned?.blocks), /Not ticked off as updated yet/);
  });

  it('with two keys: one block per key, so action ids are unique within each block', () => {
    const two = rotation({
      state: 'resolve-extra-key',
      oldKeyId: undefined,
      keys: [key(OLD), key(NEW, { lastUsed: 'never', verdict: 'ok', ageDays: 0 })],
      places: { located: false, confirmed: false, secrets: [], checklist: [] },
    });
    const blocks = buildStatusMessage(two, ctx).blocks as Array<{
      type: string;
      block_id?: string;
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    const keyBlocks = blocks.filter((b) => b.block_id?.startsWith('rotation_key_actions:'));
    assert.equal(keyBlocks.length, 2);
    for (const b of blocks.filter((x) => x.type === 'actions')) {
      const ids = b.elements!.map((e) => e.action_id);
      assert.equal(new Set(ids).size, ids.length, `unique in ${b.block_id}`);
    }
    const all = keyBlocks.flatMap((b) => b.elements!);
    assert.deepEqual(
      all.map((e) => [e.action_id, decodeValue(e.value)?.k]),
      [
        ['rotation_retire', OLD],
        ['rotation_delete_extra', NEW],
        ['rotation_retire', NEW],
      ],
    );
  });

  it('gives each tick-off button its own action id', () => {
    const sw = rotation({
      state: 'switch-over',
      newKeyId: NEW,
      newKeyCreatedHere: true,
      places: { ...rotation().places, confirmed: true },
      quietSince: NOW - 3 * 60 * 60 * 1000,
      lastPolledAt: NOW,
    });
    const found = buttons(buildStatusMessage(sw, ctx).blocks).filter(
      (b) => baseAction(b.action_id) === 'rotation_tick_place',
    );
    assert.deepEqual(
      found.map((b) => b.action_id),
      ['rotation_tick_place:0', 'rotation_tick_place:1'],
    );
    assert.deepEqual(
      found.map((b) => decodeValue(b.value)?.p),
      ['legacy/notes', 'Datadog <!channel> & co'],
    );
    assert.match(JSON.stringify(buildStatusMessage(sw, ctx).blocks), /: 3 of 24 hours/);
  });

  it('stays within Slack’s limits when hundreds of secrets hold the key', () => {
    const many = rotation();
    many.places.secrets = Array.from({ length: 300 }, (_, i) => ({
      ...many.places.secrets[0]!,
      name: `team-${i}/service-with-a-rather-long-name-${'x'.repeat(40)}`,
    }));
    many.places.checklist = Array.from({ length: 25 }, (_, i) => ({
      name: `place ${i}`,
      source: 'config' as const,
      selected: true,
    }));
    const message = buildStatusMessage(many, ctx);
    assert.equal(checkMessageContent(message as never), undefined);
    assert.match(JSON.stringify(message.blocks), /and \d+ more/);
    const view = buildPlacesView(many, JSON.stringify({ r: many.id, v: 7 }));
    assert.equal(checkView(view, ['modal']), undefined);
    for (const b of view.blocks as Array<{
      type: string;
      element?: { options: Array<{ text: { text: string } }> };
    }>) {
      if (b.type !== 'input') continue;
      assert.ok(b.element!.options.length <= 10, 'at most 10 checkboxes a group');
      for (const o of b.element!.options) assert.ok(o.text.text.length <= 75);
    }
  });

  it('puts the new secret only in the reveal modal', () => {
    const created = rotation({ state: 'switch-over', newKeyId: NEW, newKeyCreatedHere: true });
    const reveal = buildRevealView(created, { accessKeyId: NEW, secretAccessKey: SECRET });
    assert.equal(checkView(reveal, ['modal']), undefined);
    assert.ok(JSON.stringify(reveal).includes(SECRET));
    assert.ok(!JSON.stringify(buildStatusMessage(created, ctx)).includes(SECRET));
  });

  it('tells 2ndline who will deactivate which key of which user, and why', () => {
    const post = buildNotifyPost(
      rotation(),
      { action: 'deactivate', keyId: OLD, by: 'U0ALICE', why: `${NEW} is in use`, needsApproval: true },
      { approvalsChannel: 'C0APPROVALS', graceDays: 7 },
    );
    const shown = JSON.stringify(post.blocks);
    assert.match(
      shown,
      new RegExp(`<@U0ALICE> will \\*deactivate\\* access key \`${OLD}\` of IAM user \`svc-deploy\``),
    );
    assert.match(shown, /account 123456789012/);
    assert.match(shown, new RegExp(`Why it is believed unused:\\* ${NEW} is in use`));
    assert.match(shown, /<#C0APPROVALS>/);
    const note = buildThreadNote(rotation(), { kind: 'delete-due', keyId: OLD }, { graceDays: 7 });
    assert.match(JSON.stringify(note?.blocks), /grace period/);
    assert.equal(
      buildThreadNote(rotation(), { kind: 'step-failed', message: 'x' }, { graceDays: 7 }),
      undefined,
      'failures show in the status message, not as thread noise',
    );
  });

  it('names the status message in the rotation id', () => {
    const id = rotationIdFor('D0ALICE', '1795414935.000100');
    assert.deepEqual(statusMessageOf(id), { channel: 'D0ALICE', ts: '1795414935.000100' });
    assert.equal(statusMessageOf('rot-3f2a'), undefined);
  });
});

describe('rotation config', () => {
  const roles = { platform: 'arn:aws:iam::111111111111:role/platform' };
  const approvals = { channel: 'C0APPROVALS', approvers: { people: ['U0BOB'] } };

  it('applies the defaults and maps the section to the workflow settings', () => {
    const file = parseConfigFile({ roles, approvals, rotation: { notify_channel: 'C0SECONDLINE' } }, 't');
    assert.deepEqual(toRotationConfig(file.rotation!), {
      ...rotationConfig(),
      maxKeyAgeDays: 90,
      pollMinutes: 15,
      quietHours: 24,
      graceDays: 7,
      approvals: { deleteExtraKey: true, deactivate: true, delete: true },
      thirdPartyPlaces: [],
    });
    const custom = parseConfigFile(
      {
        roles,
        rotation: {
          notify_channel: 'C0SECONDLINE',
          quiet_hours: 48,
          third_party_places: [{ name: 'Datadog', link: 'https://app.datadoghq.com' }],
          approvals: {
            require_for_delete_extra: false,
            require_for_deactivate: false,
            require_for_delete: false,
          },
        },
      },
      't',
    );
    const mapped = toRotationConfig(custom.rotation!);
    assert.equal(mapped.quietHours, 48);
    assert.deepEqual(mapped.approvals, { deleteExtraKey: false, deactivate: false, delete: false });
    assert.deepEqual(mapped.thirdPartyPlaces, [{ name: 'Datadog', link: 'https://app.datadoghq.com' }]);
  });

  it('refuses a section that cannot work, naming the field', () => {
    const error = (raw: Record<string, unknown>): string => {
      try {
        parseConfigFile({ roles, ...raw }, 't');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message;
      }
      assert.fail('expected a ConfigError');
    };
    assert.match(error({ rotation: {} }), /rotation\.notify_channel/);
    assert.match(
      error({ rotation: { notify_channel: 'C0SECONDLINE' } }),
      /rotation\.approvals: .*no `approvals` section/,
    );
    assert.match(
      error({ approvals, rotation: { notify_channel: 'C0SECONDLINE', background_role: 'nope' } }),
      /rotation\.background_role: role "nope" is not defined/,
    );
    assert.match(
      error({
        approvals,
        rotation: {
          notify_channel: 'C0SECONDLINE',
          third_party_places: [{ name: 'x', link: 'javascript:alert(1)' }],
        },
      }),
      /third_party_places\[0\]\.link: expected an http\(s\) URL/,
    );
  });
});
