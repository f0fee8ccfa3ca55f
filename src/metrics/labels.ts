/**
 * Label values for Slack requests. Prometheus keeps one time series per distinct label set, and
 * anything that reaches a label is exported to whoever can scrape /metrics, so every value here
 * comes from a fixed set the code knows: a command and its subcommand word, an action id or a
 * callback id the bot itself defines. Anything else (a secret name typed after a command, a
 * forged action id, a user id) becomes `other` and never reaches a label.
 *
 * The sets come from the features' manifests (core/manifest.ts), handed in by the composition
 * root (src/features.ts): metrics imports no feature, and a feature's new id is labelled once
 * its manifest names it.
 */
import type { CommandManifest, FeatureManifest } from '../core/manifest.js';

/** What kind of Slack request a name belongs to. */
export type RequestKind =
  'command' | 'action' | 'view_submission' | 'view_closed' | 'options' | 'event' | 'other';

/** The label for anything outside the known sets. */
export const OTHER = 'other';

export interface RequestLabels {
  /**
   * `/secret get`, `/totp`, `/rotate-key due`: the command, plus its first word when that word is
   * one of the command's fixed subcommands; what a manifest says for a bare command or another word.
   */
  commandLabel(command: unknown, text: unknown): string;
  /**
   * An action id or view callback id as a label. Buttons repeated per item carry `:<n>` (or, for
   * /totp's seed picker, `:<n>` after a prefix ending in a colon); the index is dropped.
   */
  interactionLabel(id: unknown): string;
  /** A Slack event type as a label. */
  eventLabel(type: unknown): string;
  /** The kind and name labels of one Slack request body, as Bolt hands it to middleware. */
  requestLabels(body: unknown): { kind: RequestKind; name: string };
}

interface RequestBody {
  type?: unknown;
  command?: unknown;
  text?: unknown;
  actions?: { action_id?: unknown }[];
  action_id?: unknown;
  view?: { callback_id?: unknown };
  event?: { type?: unknown };
}

export function createRequestLabels(manifests: readonly FeatureManifest[]): RequestLabels {
  const commands = new Map<string, CommandManifest>(
    manifests.flatMap((m) => m.commands ?? []).map((c) => [c.command, c]),
  );
  // Every id a feature declares: wider than the ids one request can carry, but fixed, so a forged
  // id can at most be counted as one of these.
  const knownIds: ReadonlySet<string> = new Set(
    manifests.flatMap((m) => [...(m.actions ?? []), ...(m.views ?? [])]),
  );
  const knownEvents: ReadonlySet<string> = new Set(manifests.flatMap((m) => m.events ?? []));

  function commandLabel(command: unknown, text: unknown): string {
    const declared = typeof command === 'string' ? commands.get(command) : undefined;
    if (!declared) return OTHER;
    const { subcommands } = declared;
    if (subcommands.length === 0) return declared.command;
    const first = typeof text === 'string' ? text.trim().split(/\s+/, 1)[0]!.toLowerCase() : '';
    if (subcommands.includes(first)) return `${declared.command} ${first}`;
    const word = first === '' ? declared.bare : declared.other;
    return word === undefined ? declared.command : `${declared.command} ${word}`;
  }

  function interactionLabel(id: unknown): string {
    if (typeof id !== 'string') return OTHER;
    if (knownIds.has(id)) return id;
    const m = /^([a-z_]+):\d+$/.exec(id);
    if (m) {
      if (knownIds.has(m[1]!)) return m[1]!;
      if (knownIds.has(`${m[1]!}:`)) return m[1]!;
    }
    return OTHER;
  }

  function eventLabel(type: unknown): string {
    return typeof type === 'string' && knownEvents.has(type) ? type : OTHER;
  }

  function requestLabels(body: unknown): { kind: RequestKind; name: string } {
    const b = (typeof body === 'object' && body !== null ? body : {}) as RequestBody;
    if (typeof b.command === 'string') return { kind: 'command', name: commandLabel(b.command, b.text) };
    switch (b.type) {
      case 'block_actions':
        return { kind: 'action', name: interactionLabel(b.actions?.[0]?.action_id) };
      case 'view_submission':
        return { kind: 'view_submission', name: interactionLabel(b.view?.callback_id) };
      case 'view_closed':
        return { kind: 'view_closed', name: interactionLabel(b.view?.callback_id) };
      case 'block_suggestion':
        return { kind: 'options', name: interactionLabel(b.action_id) };
      case 'event_callback':
        return { kind: 'event', name: eventLabel(b.event?.type) };
      default:
        return { kind: 'other', name: OTHER };
    }
  }

  return { commandLabel, interactionLabel, eventLabel, requestLabels };
}
