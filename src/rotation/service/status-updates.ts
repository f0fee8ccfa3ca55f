/**
 * The rotation's status message kept up to date: updates run one at a time per rotation, each
 * rendering the record as it is then, so a slow update can never overwrite a newer one; a
 * search's progress is shown at most once every {@link PROGRESS_UPDATE_MS}.
 */
import type { LocateProgress } from '../core/locate.js';
import type { RotationRunner } from '../core/runner.js';
import type { RotationNotifier } from './notifier.js';

const PROGRESS_UPDATE_MS = 1500;

export interface StatusUpdates {
  /** Renders the status once the updates before it are done; never rejects. */
  queueUpdate(rotationId: string, progress?: LocateProgress): Promise<void>;
  /** A progress callback for a run's search, rate-limited. */
  onProgress(rotationId: string): (p: LocateProgress) => void;
  /** Forgets the rotation's last progress time (its run is over). */
  progressDone(rotationId: string): void;
}

/** `notifier` is asked for when an update runs: the notifier is made with this queue's hooks. */
export function createStatusUpdates(runner: RotationRunner, notifier: () => RotationNotifier): StatusUpdates {
  const updates = new Map<string, Promise<void>>();
  const lastProgress = new Map<string, number>();

  function queueUpdate(rotationId: string, progress?: LocateProgress): Promise<void> {
    const previous = updates.get(rotationId) ?? Promise.resolve();
    const next = previous.then(() => renderStatus(rotationId, progress)).catch(() => {});
    updates.set(rotationId, next);
    void next.finally(() => {
      if (updates.get(rotationId) === next) updates.delete(rotationId);
    });
    return next;
  }

  async function renderStatus(rotationId: string, progress?: LocateProgress): Promise<void> {
    const rec = await runner.get(rotationId);
    if (!rec) return;
    // A progress line belongs to the search only; once it is over, the record says more.
    if (progress && rec.data.state !== 'locate') return;
    await notifier().showStatus(rec.data, rec.version, progress);
  }

  function onProgress(rotationId: string): (p: LocateProgress) => void {
    // At most one update every PROGRESS_UPDATE_MS: chat.update is rate-limited, and the
    // final rendering after the search says the rest.
    return (p) => {
      const now = performance.now();
      if (now - (lastProgress.get(rotationId) ?? Number.NEGATIVE_INFINITY) < PROGRESS_UPDATE_MS) return;
      lastProgress.set(rotationId, now);
      void queueUpdate(rotationId, p);
    };
  }

  return { queueUpdate, onProgress, progressDone: (rotationId) => void lastProgress.delete(rotationId) };
}
