import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ScureBase32Plugin } from 'otplib';
import { UserError } from '../../../src/core/errors.js';
import { looksLikeOtpauthUri, parseSeed } from '../../../src/otp/index.js';

// RFC 6238's SHA1 key, "12345678901234567890", base32-encoded.
const KEY20 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const KEY20_BYTES = new TextEncoder().encode('12345678901234567890');
// The canonical 10-byte example seed: "Hello!" followed by 0xDEADBEEF.
const HELLO = 'JBSWY3DPEHPK3PXP';
const HELLO_BYTES = new Uint8Array([72, 101, 108, 108, 111, 33, 0xde, 0xad, 0xbe, 0xef]);

function uri(query: string, label = 'alice'): string {
  return `otpauth://totp/${label}?${query}`;
}

/** Asserts that parsing `input` is refused as a bad seed with a message matching `pattern`. */
function assertBadSeed(input: string, pattern: RegExp): void {
  assert.throws(
    () => parseSeed(input),
    (err: unknown) => {
      assert.ok(err instanceof UserError, 'expected a UserError');
      assert.equal(err.code, 'bad_seed');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('parseSeed: otpauth URIs', () => {
  it('reads every parameter', () => {
    const seed = parseSeed(
      `otpauth://totp/ACME%20Co:alice%40example.com?secret=${KEY20}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`,
    );
    assert.deepEqual(seed, {
      label: 'ACME Co:alice@example.com',
      issuer: 'ACME Co',
      account: 'alice@example.com',
      secret: KEY20_BYTES,
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
  });

  it('applies the defaults SHA1 / 6 digits / 30 s', () => {
    assert.deepEqual(parseSeed(uri(`secret=${KEY20}`)), {
      label: 'alice',
      account: 'alice',
      secret: KEY20_BYTES,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
  });

  it('takes the issuer from the label prefix when there is no issuer parameter', () => {
    const seed = parseSeed(uri(`secret=${KEY20}`, 'Example:alice@google.com'));
    assert.equal(seed.label, 'Example:alice@google.com');
    assert.equal(seed.issuer, 'Example');
    assert.equal(seed.account, 'alice@google.com');
  });

  it('lets the issuer parameter win over a different label prefix', () => {
    const seed = parseSeed(uri(`secret=${KEY20}&issuer=Real%20Issuer`, 'Old:alice'));
    assert.equal(seed.issuer, 'Real Issuer');
    assert.equal(seed.account, 'alice');
  });

  it('takes the issuer parameter when the label has no prefix', () => {
    const seed = parseSeed(uri(`secret=${KEY20}&issuer=Example`, 'alice'));
    assert.equal(seed.issuer, 'Example');
    assert.equal(seed.account, 'alice');
    assert.equal(seed.label, 'alice');
  });

  it('decodes an encoded label with %3A and %20, and trims the space after the colon', () => {
    const seed = parseSeed(uri(`secret=${KEY20}`, 'Big%20Corp%3A%20bob%40example.com'));
    assert.equal(seed.label, 'Big Corp: bob@example.com');
    assert.equal(seed.issuer, 'Big Corp');
    assert.equal(seed.account, 'bob@example.com');
  });

  it('accepts a URI without a label', () => {
    for (const input of [`otpauth://totp/?secret=${KEY20}`, `otpauth://totp?secret=${KEY20}`]) {
      assert.deepEqual(parseSeed(input), {
        secret: KEY20_BYTES,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      });
    }
  });

  it('is case-insensitive for scheme, type, algorithm and secret', () => {
    const seed = parseSeed(`OTPAUTH://TOTP/x?secret=${KEY20.toLowerCase()}&algorithm=sha512&digits=7`);
    assert.deepEqual(seed.secret, KEY20_BYTES);
    assert.equal(seed.algorithm, 'SHA512');
    assert.equal(seed.digits, 7);
  });

  it('tolerates spaces (encoded or +) and = padding in the secret parameter', () => {
    assert.deepEqual(parseSeed(uri('secret=GEZD%20GNBV+GY3T%20QOJQ%20GEZDGNBVGY3TQOJQ')).secret, KEY20_BYTES);
    assert.deepEqual(parseSeed(uri(`secret=${HELLO}%3D%3D%3D%3D&digits=6`)).secret, HELLO_BYTES);
  });

  it('ignores unknown parameters and a fragment, and trims surrounding whitespace', () => {
    const seed = parseSeed(`  ${uri(`image=https%3A%2F%2Fx%2Fa.png&secret=${KEY20}&counter=5`)}#frag \n`);
    assert.deepEqual(seed.secret, KEY20_BYTES);
    assert.equal(seed.period, 30);
  });

  it('accepts the boundaries digits 6 and 8, period 1 and 300', () => {
    assert.equal(parseSeed(uri(`secret=${KEY20}&digits=6`)).digits, 6);
    assert.equal(parseSeed(uri(`secret=${KEY20}&digits=8`)).digits, 8);
    assert.equal(parseSeed(uri(`secret=${KEY20}&period=1`)).period, 1);
    assert.equal(parseSeed(uri(`secret=${KEY20}&period=300`)).period, 300);
  });
});

describe('parseSeed: refusals', () => {
  it('refuses HOTP with the reason', () => {
    assertBadSeed(`otpauth://hotp/alice?secret=${KEY20}&counter=0`, /HOTP.*only shows time-based \(TOTP\)/s);
    assertBadSeed(`otpauth://hotp/alice?secret=${KEY20}&counter=0`, /counter that would have to be stored/);
  });

  it('refuses other OTP types', () => {
    assertBadSeed(`otpauth://motp/alice?secret=${KEY20}`, /must start with `otpauth:\/\/totp\/`/);
    assertBadSeed(`otpauth:///alice?secret=${KEY20}`, /must start with `otpauth:\/\/totp\/`/);
  });

  it('refuses a malformed otpauth URI and a wrong scheme', () => {
    assertBadSeed(`otpauth:totp/alice?secret=${KEY20}`, /not a valid `otpauth:\/\/` URI/);
    assertBadSeed(`https://example.com/totp?secret=${KEY20}`, /a link but not an `otpauth:\/\/` one/);
    assertBadSeed(`mailto:${KEY20}`, /a link but not an `otpauth:\/\/` one/);
  });

  it('refuses a missing or empty secret', () => {
    assertBadSeed(uri('issuer=Example'), /has no `secret` parameter/);
    assertBadSeed(uri('secret=&issuer=Example'), /has no `secret` parameter/);
    assertBadSeed(uri('secret=%20%20'), /has no `secret` parameter/);
  });

  it('refuses a repeated secret', () => {
    assertBadSeed(uri(`secret=${KEY20}&secret=${HELLO}`), /`secret` parameter more than once/);
  });

  it('refuses bad base32 in the secret, giving the position only', () => {
    // '1' is not in the base32 alphabet (it is easily confused with I/L); position 5.
    assertBadSeed(
      uri('secret=GEZD1NBVGY3TQOJQGEZDGNBVGY3TQOJQ'),
      /^The 2fa-seed's `secret` parameter is not valid base32: the 5th character is not allowed/,
    );
    // '=' is only padding at the end, not in the middle.
    assertBadSeed(uri('secret=GEZDGNBV%3DGY3TQOJQ'), /the 9th character is not allowed/);
    assertBadSeed(uri('secret=GEZDGNBV-GY3TQOJQ'), /the 9th character is not allowed/);
  });

  it('refuses a truncated or too short or too long secret', () => {
    assertBadSeed(uri(`secret=${KEY20}G`), /impossible, so it looks cut short/); // 33 chars: 33 % 8 = 1
    assertBadSeed(uri('secret=GEZDGNBVGY3TQ'), /too short .*at least 16 base32 characters/); // 13 chars → 8 bytes
    assertBadSeed(uri(`secret=${'A'.repeat(104)}`), /too long .*at most 103 base32 characters/); // 65 bytes
    assert.equal(parseSeed(uri(`secret=${'A'.repeat(103)}`)).secret.length, 64);
  });

  it('refuses unsupported algorithms', () => {
    for (const alg of ['MD5', 'SHA-1', 'SHA384', 'SHA224', '']) {
      assertBadSeed(
        uri(`secret=${KEY20}&algorithm=${alg}`),
        /`algorithm` is not supported; it must be SHA1, SHA256 or SHA512/,
      );
    }
  });

  it('refuses digits outside 6–8 or not a whole number', () => {
    for (const digits of ['5', '9', '0', '-6', 'six', '6.5', '', '1e1']) {
      assertBadSeed(uri(`secret=${KEY20}&digits=${digits}`), /`digits` must be a whole number from 6 to 8/);
    }
  });

  it('refuses a period that is 0, negative, non-numeric or too long', () => {
    for (const period of ['0', '-30', 'abc', '30.5', '', '301', '0x1e', '99999999']) {
      assertBadSeed(
        uri(`secret=${KEY20}&period=${period}`),
        /`period` must be a whole number of seconds from 1 to 300/,
      );
    }
  });

  it('refuses a malformed label encoding', () => {
    assertBadSeed(uri(`secret=${KEY20}`, 'bad%E0%A4%A'), /label .* is not valid URL encoding/);
  });

  it('refuses empty input and text that is not a seed', () => {
    assertBadSeed('', /^The 2fa-seed is empty\.$/);
    assertBadSeed('  \n ', /^The 2fa-seed is empty\.$/);
    assertBadSeed('hello world!', /^The 2fa-seed is not valid base32: the 12th character is not allowed/);
    assertBadSeed('{"secret":"x"}', /the 1st character is not allowed/);
  });

  it('never puts the secret (or a piece of it) into an error message', () => {
    const secret = 'KRUGS4ZANFZSAYJAONSWG4TFOQ'; // distinctive, valid base32
    const inputs = [
      `KRUGS4ZANF!ZSAYJAONSWG4TFOQ`,
      `KRUGS4ZANFZSAYJAONSWG4TFOQ8`,
      `KRUGS4ZANFZSAYJAONSWG4TFOQA`,
      `https://example.com/?secret=${secret}`,
      `otpauth://hotp/alice?secret=${secret}&counter=1`,
      `otpauth://steam/alice?secret=${secret}`,
      `otpauth:totp/alice?secret=${secret}`,
      uri(`secret=${secret}&algorithm=${secret}`),
      uri(`secret=${secret}&digits=${secret}`),
      uri(`secret=${secret}&period=${secret}`),
      uri(`secret=${secret}&secret=${secret}`),
      uri(`secret=${secret}9`),
      uri(`secret=${secret.slice(0, 12)}`),
      uri(`secret=${secret.repeat(5)}`),
      uri(`secret=${secret}`, `${secret}%E0%A4%A`),
    ];
    const pieces = new Set<string>();
    for (let i = 0; i + 6 <= secret.length; i++) pieces.add(secret.slice(i, i + 6));
    for (const input of inputs) {
      let caught: unknown;
      try {
        parseSeed(input);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof UserError, `expected a refusal for input #${inputs.indexOf(input)}`);
      assert.equal(caught.cause, undefined);
      const text = `${caught.message}\n${inspect(caught)}`.toUpperCase();
      for (const piece of pieces) {
        assert.ok(
          !text.includes(piece),
          `message for input #${inputs.indexOf(input)} contains part of the secret`,
        );
      }
    }
  });
});

describe('parseSeed: bare base32 seeds', () => {
  it('accepts a bare seed with the defaults and no label', () => {
    assert.deepEqual(parseSeed(HELLO), { secret: HELLO_BYTES, algorithm: 'SHA1', digits: 6, period: 30 });
  });

  it('tolerates spaces, lowercase, padding and surrounding whitespace', () => {
    assert.deepEqual(parseSeed('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').secret, KEY20_BYTES);
    assert.deepEqual(parseSeed(`\t ${HELLO.toLowerCase()}====== \n`).secret, HELLO_BYTES);
    // RFC 6238's 32-byte SHA256 key, with standard RFC 4648 padding.
    assert.deepEqual(
      parseSeed('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====').secret,
      new TextEncoder().encode('12345678901234567890123456789012'),
    );
  });

  it('decodes exactly like an independent base32 implementation for every key length 10–64', () => {
    const scure = new ScureBase32Plugin();
    for (let len = 10; len <= 64; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len * 11) & 0xff);
      assert.deepEqual(parseSeed(scure.encode(bytes)).secret, bytes, `length ${len}`);
      assert.deepEqual(
        parseSeed(scure.encode(bytes, { padding: true })).secret,
        bytes,
        `padded, length ${len}`,
      );
    }
  });
});

describe('looksLikeOtpauthUri', () => {
  it('recognises the otpauth:// prefix, trimmed and case-insensitive', () => {
    assert.equal(looksLikeOtpauthUri(`otpauth://totp/x?secret=${KEY20}`), true);
    assert.equal(looksLikeOtpauthUri(`  OTPAuth://hotp/x?secret=${KEY20}\n`), true);
    assert.equal(looksLikeOtpauthUri('otpauth://'), true);
  });

  it('does not match other values', () => {
    for (const value of [
      KEY20,
      '',
      'otpauth:totp/x',
      'xotpauth://totp/x',
      'https://example.com',
      'otpauth//',
    ]) {
      assert.equal(looksLikeOtpauthUri(value), false, value);
    }
  });
});
