import type { FeatureManifest } from '../core/manifest.js';
import {
  ACTION_EDIT_OPEN,
  ACTION_EDIT_UNDO,
  ACTION_REVEAL_OPEN,
  ACTIONS_SUGGEST_GET,
  COMMAND_SECRET,
  VIEW_EDIT,
} from './ids.js';

/** /secret: get, list, edit, who, help; the reveal's Open and Edit, the edit's Undo, "Did you mean". */
export const manifest: FeatureManifest = {
  name: 'secrets',
  commands: [
    {
      command: COMMAND_SECRET,
      subcommands: ['get', 'list', 'edit', 'who', 'help'],
      bare: 'help',
      other: 'unknown',
    },
  ],
  actions: [ACTION_REVEAL_OPEN, ...ACTIONS_SUGGEST_GET, ACTION_EDIT_OPEN, ACTION_EDIT_UNDO],
  views: [VIEW_EDIT],
};
