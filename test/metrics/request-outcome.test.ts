/** A request's outcome is what its audit events and error reply noted, while it was running. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteRequestOutcome, type OutcomeSlot, withOutcomeSlot } from '../../src/metrics/request-outcome.js';

describe('request outcome', () => {
  it('is the first outcome other than ok', async () => {
    const slot: OutcomeSlot = { closed: false };
    await withOutcomeSlot(slot, async () => {
      noteRequestOutcome('ok');
      await Promise.resolve();
      noteRequestOutcome('refused');
      noteRequestOutcome('denied');
      noteRequestOutcome('ok');
    });
    assert.equal(slot.outcome, 'refused');
  });

  it('is error whenever an error was noted, whatever came before', async () => {
    const slot: OutcomeSlot = { closed: false };
    await withOutcomeSlot(slot, async () => {
      noteRequestOutcome('approved');
      noteRequestOutcome('error');
      noteRequestOutcome('refused');
    });
    assert.equal(slot.outcome, 'error');
  });

  it('ignores notes after the request is counted, and notes outside any request', async () => {
    const slot: OutcomeSlot = { closed: false };
    let later: (() => void) | undefined;
    await withOutcomeSlot(slot, async () => {
      noteRequestOutcome('ok');
      later = () => noteRequestOutcome('error'); // e.g. an auto-hide timer the request started
    });
    later!();
    noteRequestOutcome('denied');
    assert.equal(slot.outcome, 'ok');
    assert.equal(slot.closed, true);
  });

  it('keeps concurrent requests apart', async () => {
    const a: OutcomeSlot = { closed: false };
    const b: OutcomeSlot = { closed: false };
    await Promise.all([
      withOutcomeSlot(a, async () => {
        await new Promise((r) => setTimeout(r, 5));
        noteRequestOutcome('denied');
      }),
      withOutcomeSlot(b, async () => {
        noteRequestOutcome('not_found');
      }),
    ]);
    assert.equal(a.outcome, 'denied');
    assert.equal(b.outcome, 'not_found');
  });
});
