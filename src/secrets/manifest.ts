import type { FeatureManifest } from '../core/manifest.js';
import type { Deps } from '../deps.js';
import { safeWord } from '../slack/command-text.js';
import { type CommandRequest, type CommandTable, commandManifestOf } from '../slack/command-table.js';
import { openEditForm } from './edit-handlers.js';
import { requestApprovalIfGuarded } from './guard.js';
import {
  ACTION_EDIT_OPEN,
  ACTION_EDIT_UNDO,
  ACTION_REVEAL_OPEN,
  ACTIONS_SUGGEST_GET,
  COMMAND_SECRET,
  VIEW_EDIT,
} from './ids.js';
import { buildInfoMessage } from './info-blocks.js';
import { listForPerson } from './list-command.js';
import { buildHelpMessage, buildUnknownSubcommandMessage } from './reveal-blocks.js';
import { isReadableName } from './secret-reader.js';
import { revealSecret } from './secret-reveal.js';
import { secretInfoFor } from './secret-info.js';
import { secretWho } from './who-command.js';

const ROLE = '[--role ROLE]';

function help(deps: Deps, request: CommandRequest) {
  return buildHelpMessage(request.help, { rotation: deps.config.rotation !== undefined });
}

/**
 * /secret, sub-command by sub-command: the table its listener dispatches on (slack/command-table.ts),
 * its help lines and its metrics labels. Each `run` is glue: the work is in the module it calls.
 */
export const secretCommand: CommandTable<Deps> = {
  command: COMMAND_SECRET,
  flags: ['role'],
  subcommands: {
    get: {
      usage: `get NAME ${ROLE}`,
      help: (deps) => `show a secret only to you; it hides itself after ${deps.config.reveal.ttl_seconds} s.`,
      words: 'one',
      missing: 'Which secret?',
      async run(deps, { command, client, args: [name], flags }) {
        const asker = { user: command.user_id, team: command.team_id };
        // A name that cannot be read never reaches the guard: the reveal below refuses it, in its
        // window and audited (assertNotGuarded).
        const guarded =
          isReadableName(name!) &&
          (await requestApprovalIfGuarded(deps, client, {
            userId: asker.user,
            teamId: asker.team,
            triggerId: command.trigger_id,
            responseUrl: command.response_url,
            secretName: name!,
            roleName: flags.role,
            via: 'secret',
          }));
        // Guarded: the reason modal took over. Otherwise the value goes into a window of its own,
        // never into a reply (docs/reveals.md).
        if (!guarded)
          await revealSecret(
            deps,
            {
              ...asker,
              triggerId: command.trigger_id,
              responseUrl: command.response_url,
              channel: command.channel_id,
            },
            name!,
            flags.role,
          );
        return undefined;
      },
    },
    list: {
      usage: `list [WORDS] ${ROLE}`,
      help: 'find the secrets your role can see by name, description or tags, as the console searches (`/secret list fastly`); no value is read. `ssm:/PATH` lists parameters.',
      words: 'any',
      run: (deps, { command, args, flags }) =>
        listForPerson(
          deps,
          { user: command.user_id, team: command.team_id },
          args.join(' ') || undefined,
          flags.role,
        ),
    },
    edit: {
      usage: `edit NAME ${ROLE}`,
      help:
        'change or add fields in a form (a field left empty keeps its value); ' +
        'saves a new version you can undo. A reveal has an *Edit* button too.',
      words: 'one',
      missing: 'Which secret?',
      async run(deps, { command, client, args: [name], flags }) {
        // The edit modal (or the approval's reason modal) takes over.
        await openEditForm(deps, client, {
          userId: command.user_id,
          teamId: command.team_id,
          triggerId: command.trigger_id,
          name: name!,
          ...(flags.role ? { roleName: flags.role } : {}),
          responseUrl: command.response_url,
          channelId: command.channel_id,
        });
        return undefined;
      },
    },
    who: {
      usage: `who NAME [--days N] ${ROLE}`,
      help: 'who read or changed a secret, from CloudTrail (default 30 days, at most 90).',
      words: 'one',
      missing: 'Which secret?',
      flags: ['days'],
      run: (deps, { command, args: [name], flags }) => secretWho(deps, command, name!, flags),
    },
    info: {
      usage: `info NAME ${ROLE}`,
      help: 'what AWS knows about a secret (description, dates, rotation, tags) without reading its value.',
      words: 'one',
      missing: 'Which secret?',
      run: async (deps, { command, args: [name], flags }) =>
        buildInfoMessage(
          await secretInfoFor(deps, { user: command.user_id, team: command.team_id }, name!, flags.role),
        ),
    },
    help: {
      usage: 'help',
      help: 'this help.',
      words: 'none',
      run: async (deps, request) => help(deps, request),
    },
  },
  bare: 'help',
  // An unknown word answers with the help; with more words after it, a refusal (as before tables).
  other: {
    label: 'unknown',
    usage: `get NAME ${ROLE}`,
    words: 'optional',
    run: async (deps, request) =>
      buildUnknownSubcommandMessage(safeWord(request.word ?? ''), help(deps, request)),
  },
};

/** /secret: get, list, edit, who, info, help; the reveal's Open and Edit, the edit's Undo, "Did you mean". */
export const manifest: FeatureManifest = {
  name: 'secrets',
  commands: [commandManifestOf(secretCommand)],
  actions: [ACTION_REVEAL_OPEN, ...ACTIONS_SUGGEST_GET, ACTION_EDIT_OPEN, ACTION_EDIT_UNDO],
  views: [VIEW_EDIT],
};
