import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, matchesWords, rankSuggestions, words } from '../../../src/secrets/secret-search.js';

describe('secret search, as the console matches', () => {
  it('splits names into words at their punctuation, lower-cased', () => {
    assert.deepEqual(words('2ndline/Fastly-API_user'), ['2ndline', 'fastly', 'api', 'user']);
  });

  it('matches when every word typed begins a word of the text', () => {
    assert.ok(matchesWords('fastly', '2ndline/fastly'));
    assert.ok(matchesWords('2nd fast', '2ndline/fastly'));
    assert.ok(matchesWords('CDN', 'Fastly API user for the CDN'));
    assert.ok(!matchesWords('line', '2ndline/fastly'), 'a word matches from its start only');
    assert.ok(!matchesWords('', '2ndline/fastly'));
  });

  it('measures spelling distance, stopping early', () => {
    assert.equal(editDistance('fastyl', 'fastly'), 1, 'a swap is one edit');
    assert.equal(editDistance('Fastly', 'fastly'), 0);
    assert.equal(editDistance('abc', 'abcdefgh', 2), 3);
  });

  it('suggests by words first, then by spelling, at most three, never the name typed', () => {
    const names = [
      '2ndline/fastly',
      '2ndline/fast',
      'prod/fastly-origin',
      'shared/grafana-admin',
      '2ndline/pagerduty',
    ];
    assert.deepEqual(rankSuggestions('fastly', names), ['2ndline/fastly', 'prod/fastly-origin']);
    assert.deepEqual(rankSuggestions('2ndline/fastyl', names), ['2ndline/fastly', '2ndline/fast']);
    assert.deepEqual(rankSuggestions('pagerduty', names), ['2ndline/pagerduty']);
    assert.deepEqual(rankSuggestions('2ndline/FASTLY', names), ['2ndline/fastly']);
    assert.deepEqual(rankSuggestions('zzz', names), []);
    assert.ok(rankSuggestions('fast', names).length <= 3);
  });
});
