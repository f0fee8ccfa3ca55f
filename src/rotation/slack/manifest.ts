import type { FeatureManifest } from '../../core/manifest.js';
import {
  ACTION_CANCEL_PARKED,
  ACTION_DUE_START,
  ACTION_EDIT_HOME,
  ACTION_INDEX_START,
  ACTION_PICK_USER,
  ACTION_TAKE_OVER,
  COMMAND_ROTATE_KEY,
  STATUS_ACTIONS,
  VIEW_HOME,
  VIEW_INFO,
  VIEW_PICK_USER,
  VIEW_PLACES,
  VIEW_PROCEED,
} from './ids.js';

/**
 * /rotate-key: the status message's buttons (each also as `<id>:<n>`), the places and reason
 * modals, the user picker, where-the-key-lives, parked rotations, the keys-due report's "Start
 * rotation", the index; the resume job. `due` is routed to keys-due/ and SES SMTP users to
 * smtp-users/ (features.ts).
 */
export const manifest: FeatureManifest = {
  name: 'rotation',
  // `/rotate-key USER` names an IAM user: only the fixed words are labels (`index` is counted as
  // `/rotate-key`, as before manifests).
  commands: [{ command: COMMAND_ROTATE_KEY, subcommands: ['due', 'help'] }],
  actions: [
    ...STATUS_ACTIONS,
    ACTION_EDIT_HOME,
    ACTION_INDEX_START,
    ACTION_TAKE_OVER,
    ACTION_CANCEL_PARKED,
    ACTION_DUE_START,
    ACTION_PICK_USER,
  ],
  views: [VIEW_PLACES, VIEW_PROCEED, VIEW_HOME, VIEW_INFO, VIEW_PICK_USER],
  jobs: ['rotation.resume'],
};
