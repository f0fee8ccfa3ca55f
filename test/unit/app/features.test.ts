/** Features are registered against their manifests (issue 15, item 5): nothing undeclared starts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { App } from '@slack/bolt';
import type { Deps } from '../../../src/deps.js';
import { FEATURES, type Feature, registerFeature } from '../../../src/features.js';

/** Records what a feature registers; nothing else of Bolt is needed to register. */
function recordingApp(): { app: App; registered: string[] } {
  const registered: string[] = [];
  const record =
    (kind: string) =>
    (constraint: unknown): void => {
      registered.push(
        `${kind} ${constraint instanceof RegExp ? constraint.source : JSON.stringify(constraint)}`,
      );
    };
  const app = {
    command: record('command'),
    action: record('action'),
    view: record('view'),
    event: record('event'),
  };
  return { app: app as unknown as App, registered };
}

const options = { takeOverFromGoneLocalProcesses: true };
const deps = {} as Deps;

describe('registerFeature', () => {
  const feature = (register: Feature['register']): Feature => ({
    manifest: {
      name: 'demo',
      commands: [{ command: '/demo', subcommands: [] }],
      actions: ['demo_go', 'demo_pick:'],
      views: ['demo_view'],
      events: ['app_home_opened'],
      jobs: ['demo.job'],
    },
    register,
  });

  it('registers the listeners and jobs the manifest declares', () => {
    const { app, registered } = recordingApp();
    const handle = registerFeature(
      app,
      deps,
      feature((a) => {
        a.command('/demo', async () => {});
        a.action('demo_go', async () => {});
        a.action(/^demo_pick:\d+$/, async () => {});
        a.view('demo_view', async () => {});
        a.view({ type: 'view_closed' }, async () => {});
        a.event('app_home_opened', async () => {});
        return { jobs: [{ name: 'demo.job', run: async () => 0 }] };
      }),
      options,
    );
    assert.equal(registered.length, 6);
    assert.deepEqual(
      handle.jobs?.map((j) => j.name),
      ['demo.job'],
    );
  });

  for (const [what, register] of [
    ['a command', (a: App) => a.command('/other', async () => {})],
    ['an action id', (a: App) => a.action('demo_gone', async () => {})],
    ['an action pattern', (a: App) => a.action(/^other:\d+$/, async () => {})],
    ['a view', (a: App) => a.view('other_view', async () => {})],
    ['an event', (a: App) => a.event('message', async () => {})],
  ] as const) {
    it(`refuses ${what} the manifest does not declare`, () => {
      const { app } = recordingApp();
      assert.throws(
        () =>
          registerFeature(
            app,
            deps,
            feature((a) => (register(a), {})),
            options,
          ),
        /Feature demo registers .* which its manifest does not declare/,
      );
    });
  }

  it('refuses a job the manifest does not declare', () => {
    const { app } = recordingApp();
    assert.throws(
      () =>
        registerFeature(
          app,
          deps,
          feature(() => ({ jobs: [{ name: 'other.job', run: async () => 0 }] })),
          options,
        ),
      /registers job other.job/,
    );
  });

  it('declares every command, id and job once across the features', () => {
    const all = FEATURES.flatMap(({ manifest: m }) => [
      ...(m.commands ?? []).map((c) => c.command),
      ...(m.actions ?? []),
      ...(m.views ?? []),
      ...(m.jobs ?? []),
    ]);
    assert.deepEqual(
      all.filter((id, i) => all.indexOf(id) !== i),
      [],
    );
  });
});
