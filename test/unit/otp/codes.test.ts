import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { groupDigits, parseSeed, type TotpSeed, totpCodes } from '../../../src/otp/index.js';

// RFC 6238 Appendix B keys: the ASCII digits repeated to 20, 32 and 64 bytes, base32-encoded.
const RFC_KEYS = {
  SHA1: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  SHA256: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA',
  SHA512:
    'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA',
} as const;

// RFC 6238 Appendix B: time (seconds) → 8-digit code per algorithm.
const RFC_VECTORS: ReadonlyArray<{ time: number; SHA1: string; SHA256: string; SHA512: string }> = [
  { time: 59, SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' },
  { time: 1111111109, SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' },
  { time: 1111111111, SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' },
  { time: 1234567890, SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' },
  { time: 2000000000, SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' },
  { time: 20000000000, SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' },
];

function rfcSeed(algorithm: 'SHA1' | 'SHA256' | 'SHA512', digits = 8): TotpSeed {
  return parseSeed(
    `otpauth://totp/RFC%206238:${algorithm}?secret=${RFC_KEYS[algorithm]}&algorithm=${algorithm}&digits=${digits}&period=30`,
  );
}

/** An independent RFC 4226/6238 implementation on node:crypto, to cross-check otplib's use. */
function referenceTotp(
  key: Uint8Array,
  algorithm: string,
  digits: number,
  period: number,
  seconds: number,
): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / period)));
  const mac = createHmac(algorithm.toLowerCase(), key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

describe('totpCodes: RFC 6238 Appendix B test vectors (through parseSeed)', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    for (const vector of RFC_VECTORS) {
      it(`${algorithm} at T=${vector.time}`, () => {
        const codes = totpCodes(rfcSeed(algorithm), vector.time * 1000);
        assert.equal(codes.current, vector[algorithm]);
      });
    }
  }

  it('6 and 7 digits are the last digits of the 8-digit code', () => {
    const sha1Seed6 = parseSeed(RFC_KEYS.SHA1); // bare seed: SHA1, 6 digits, 30 s
    assert.equal(totpCodes(sha1Seed6, 59_000).current, '287082');
    assert.equal(totpCodes(rfcSeed('SHA256', 7), 1234567890_000).current, '1819424');
    assert.equal(totpCodes(rfcSeed('SHA512', 6), 2000000000_000).current, '618901');
  });
});

describe('totpCodes: next code, period and time step', () => {
  it('next is the code of the following step (RFC vectors 1111111109 and 1111111111 are consecutive steps)', () => {
    assert.equal(totpCodes(rfcSeed('SHA1'), 1111111109_000).next, '14050471');
    assert.equal(totpCodes(rfcSeed('SHA256'), 1111111109_000).next, '67062674');
    assert.equal(totpCodes(rfcSeed('SHA512'), 1111111109_000).next, '99943326');
  });

  it('next equals the current code at nowMs + period', () => {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      const seed = rfcSeed(algorithm);
      for (const { time } of RFC_VECTORS) {
        for (const nowMs of [time * 1000, time * 1000 + 999]) {
          const codes = totpCodes(seed, nowMs);
          assert.equal(
            codes.next,
            totpCodes(seed, nowMs + seed.period * 1000).current,
            `${algorithm} ${nowMs}`,
          );
          assert.notEqual(codes.next, codes.current);
        }
      }
    }
  });

  it('secondsLeft and periodStart at and around period boundaries', () => {
    const seed = rfcSeed('SHA1');
    const cases: ReadonlyArray<[nowMs: number, secondsLeft: number, periodStart: number]> = [
      [0, 30, 0],
      [59_000, 1, 30_000],
      [1111111109_000, 1, 1111111080_000],
      [1111111109_999, 1, 1111111080_000],
      [1111111110_000, 30, 1111111110_000], // a step begins exactly here
      [1111111110_001, 30, 1111111110_000], // 29.999 s left, rounded up
      [1111111110_999, 30, 1111111110_000],
      [1111111111_000, 29, 1111111110_000],
      [1111111139_000, 1, 1111111110_000],
      [1111111139_999, 1, 1111111110_000],
      [1111111140_000, 30, 1111111140_000],
    ];
    for (const [nowMs, secondsLeft, periodStart] of cases) {
      const codes = totpCodes(seed, nowMs);
      assert.equal(codes.secondsLeft, secondsLeft, `secondsLeft at ${nowMs}`);
      assert.equal(codes.periodStart, periodStart, `periodStart at ${nowMs}`);
      assert.equal(codes.period, 30);
    }
    // The step changes exactly at the boundary, not a millisecond before.
    assert.equal(totpCodes(seed, 1111111109_999).current, '07081804');
    assert.equal(totpCodes(seed, 1111111110_000).current, '14050471');
  });

  it('uses the seed period (60 s): step 0 lasts 60 s and has the same code as step 0 at 30 s', () => {
    const seed60 = parseSeed(`otpauth://totp/x?secret=${RFC_KEYS.SHA1}&digits=8&period=60`);
    const codes = totpCodes(seed60, 59_000);
    assert.equal(codes.current, totpCodes(rfcSeed('SHA1'), 0).current);
    assert.equal(codes.secondsLeft, 1);
    assert.equal(codes.periodStart, 0);
    assert.equal(codes.period, 60);
    const later = totpCodes(seed60, 1111111109_000);
    assert.equal(later.periodStart, 1111111080_000);
    assert.equal(later.secondsLeft, 31);
    assert.equal(later.current, referenceTotp(seed60.secret, 'SHA1', 8, 60, 1111111109));
  });

  it('works for short real-world seeds (10 bytes, below otplib default minimum)', () => {
    const seed = parseSeed('JBSWY3DPEHPK3PXP');
    const codes = totpCodes(seed, 1_700_000_000_000);
    assert.equal(codes.current, referenceTotp(seed.secret, 'SHA1', 6, 30, 1_700_000_000));
    assert.match(codes.current, /^[0-9]{6}$/);
  });

  it('matches an independent implementation for all algorithms, digits and some periods', () => {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      for (const digits of [6, 7, 8]) {
        for (const period of [15, 30, 60, 300]) {
          const seed = parseSeed(
            `otpauth://totp/x?secret=${RFC_KEYS[algorithm]}&algorithm=${algorithm}&digits=${digits}&period=${period}`,
          );
          const seconds = 1_712_345_678;
          const codes = totpCodes(seed, seconds * 1000 + 123);
          const label = `${algorithm} ${digits} ${period}`;
          assert.equal(codes.current, referenceTotp(seed.secret, algorithm, digits, period, seconds), label);
          assert.equal(
            codes.next,
            referenceTotp(seed.secret, algorithm, digits, period, seconds + period),
            label,
          );
        }
      }
    }
  });

  it('refuses an invalid clock value as a programming error', () => {
    const seed = rfcSeed('SHA1');
    for (const nowMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => totpCodes(seed, nowMs), RangeError);
    }
  });
});

describe('groupDigits', () => {
  it('splits into two groups, the shorter first', () => {
    assert.equal(groupDigits('492039'), '492 039');
    assert.equal(groupDigits('4920391'), '492 0391');
    assert.equal(groupDigits('49203912'), '4920 3912');
  });

  it('leaves very short strings alone', () => {
    assert.equal(groupDigits(''), '');
    assert.equal(groupDigits('123'), '123');
    assert.equal(groupDigits('1234'), '12 34');
  });
});
