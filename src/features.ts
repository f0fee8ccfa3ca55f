/**
 * The bot's features, each a manifest (core/manifest.ts: its commands, sub-commands, action and
 * view ids, events, jobs) and a `register`. Part of the composition root: app.ts registers from
 * this list, each feature against its own manifest (a listener for an id the manifest does not
 * declare, or an undeclared job, stops the start), and metrics' request labels come from the
 * manifests here, so metrics imports no feature. Adding a sub-command or a button: its handler,
 * its id in the feature's manifest, its block.
 */
import type { App } from '@slack/bolt';
import { manifest as approvals } from './approvals/manifest.js';
import { register as registerApprovals } from './approvals/index.js';
import type { FeatureManifest } from './core/manifest.js';
import type { Deps, FeatureHandle } from './deps.js';
import { manifest as home } from './home/manifest.js';
import { manifest as keysDue } from './keys-due/manifest.js';
import { dueCommand, register as registerKeysDue } from './keys-due/slack/index.js';
import { register as registerHome } from './home/index.js';
import { createRequestLabels } from './metrics/index.js';
import { manifest as otp } from './otp/manifest.js';
import { register as registerOtp } from './otp/index.js';
import { manifest as reveal } from './reveal/manifest.js';
import { register as registerReveals } from './reveal/index.js';
import { manifest as rotation } from './rotation/slack/manifest.js';
import { register as registerRotation } from './rotation/slack/index.js';
import { manifest as secrets } from './secrets/manifest.js';
import { register as registerSecrets } from './secrets/index.js';
import { manifest as smtpUsers } from './smtp-users/manifest.js';
import { register as registerSmtpUsers, smtpUsersFor } from './smtp-users/slack/index.js';
import { manifest as userEvents, registerUserEvents } from './slack/user-events.js';

export interface FeatureOptions {
  /** False on AWS Lambda (scheduling/lease.ts says why). */
  takeOverFromGoneLocalProcesses: boolean;
}

export interface Feature {
  manifest: FeatureManifest;
  register(app: App, deps: Deps, options: FeatureOptions): FeatureHandle;
}

/** In the order they are registered. */
export const FEATURES: readonly Feature[] = [
  // user_change / team_join: a changed person is looked up again at once.
  { manifest: userEvents, register: (app, deps) => (registerUserEvents(app, deps), {}) },
  { manifest: reveal, register: registerReveals },
  { manifest: approvals, register: registerApprovals },
  { manifest: secrets, register: registerSecrets },
  { manifest: otp, register: registerOtp },
  { manifest: home, register: registerHome },
  // /rotate-key's `due` is the keys-due report's, and an SES SMTP user is replaced by
  // smtp-users/: handed in, so rotation imports neither.
  {
    manifest: rotation,
    register: (app, deps, options) => {
      const due = dueCommand(deps);
      const smtp = smtpUsersFor(deps);
      return registerRotation(app, deps, options, { ...(due ? { due } : {}), ...(smtp ? { smtp } : {}) });
    },
  },
  { manifest: keysDue, register: registerKeysDue },
  { manifest: smtpUsers, register: registerSmtpUsers },
];

/** The request labels metrics counts by (metrics/labels.ts over every feature's manifest). */
export const { commandLabel, interactionLabel, eventLabel, requestLabels } = createRequestLabels(
  FEATURES.map((f) => f.manifest),
);

/** Registers `feature` with `app`, refusing a listener or a job its manifest does not declare. */
export function registerFeature(
  app: App,
  deps: Deps,
  feature: Feature,
  options: FeatureOptions,
): FeatureHandle {
  const { manifest } = feature;
  const refuse = (what: string, id: unknown): never => {
    throw new Error(
      `Feature ${manifest.name} registers ${what} ${String(id)}, which its manifest does not declare (core/manifest.ts)`,
    );
  };
  const actions = manifest.actions ?? [];
  // A pattern (`/^totp_pick:\d+$/`) must match a declared id, or the first of a declared family.
  const declaredAction = (id: unknown): boolean =>
    typeof id === 'string'
      ? actions.includes(id)
      : id instanceof RegExp
        ? actions.some((a) => id.test(a) || id.test(`${a}:0`) || id.test(`${a}0`))
        : true;
  const check: Record<string, (constraint: unknown) => void> = {
    command: (c) => void ((manifest.commands ?? []).some((d) => d.command === c) || refuse('command', c)),
    action: (c) => {
      const id =
        typeof c === 'object' && c !== null && !(c instanceof RegExp)
          ? (c as { action_id?: unknown }).action_id
          : c;
      if (id !== undefined && !declaredAction(id)) refuse('action', id);
    },
    options: (c) => void (declaredAction(c) || refuse('options', c)),
    view: (c) => {
      const id =
        typeof c === 'object' && c !== null && !(c instanceof RegExp)
          ? (c as { callback_id?: unknown }).callback_id
          : c;
      if (
        id !== undefined &&
        !(manifest.views ?? []).some((v) => (id instanceof RegExp ? id.test(v) : v === id))
      )
        refuse('view', id);
    },
    event: (c) => void ((manifest.events ?? []).includes(c as string) || refuse('event', c)),
  };
  const checked = new Proxy(app, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const verify = typeof prop === 'string' ? check[prop] : undefined;
      return (...args: unknown[]) => {
        verify?.(args[0]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const handle = feature.register(checked, deps, options);
  for (const job of handle.jobs ?? []) if (!(manifest.jobs ?? []).includes(job.name)) refuse('job', job.name);
  return handle;
}
