/**
 * What a feature declares about itself (issue 15, item 5): the slash commands and their
 * sub-commands, the action and view ids it listens to, the events and the scheduled jobs. The
 * composition root registers each feature against its manifest (a listener for an id the manifest
 * does not name fails at start-up, app.ts) and hands the manifests to metrics/labels.ts, which
 * derives its label sets from them: a renamed or added id cannot fall out of either.
 */

export interface CommandManifest {
  /** `/secret` */
  command: string;
  /** First words that are part of the command's metrics label (`/secret get`); any other word is someone's input. */
  subcommands: readonly string[];
  /** The label word for the bare command (`/secret` alone counts as `/secret help`); none: the command alone. */
  bare?: string;
  /** The label word for any other first word (`/secret prod/db` counts as `/secret unknown`); none: the command alone. */
  other?: string;
}

export interface FeatureManifest {
  name: string;
  commands?: readonly CommandManifest[];
  /**
   * Action ids of buttons, selects and option loads. A button repeated per item carries
   * `<id>:<n>`; an id ending in `:` (`totp_pick:`) declares a family `totp_pick:<n>`.
   */
  actions?: readonly string[];
  /** callback_ids of the modals whose submissions or closes the feature handles. */
  views?: readonly string[];
  /** Slack event types. */
  events?: readonly string[];
  /** Names of the scheduled jobs the feature hands the scheduler. */
  jobs?: readonly string[];
}
