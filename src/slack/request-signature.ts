/**
 * Slack's request signature (docs.slack.dev "Verifying requests from Slack"): the hex
 * HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` keyed with the signing secret,
 * sent as `X-Slack-Signature: v0=…`. Slack's own sample refuses a timestamp "more than five
 * minutes from local time" either way; Bolt's check refuses only the past, so a request signed
 * for the future (a captured signing secret, a skewed clock) would stay valid for as long as its
 * timestamp says. This check runs first, before anything looks at the body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now, either way (Slack's five minutes). */
export const REQUEST_WINDOW_SECONDS = 5 * 60;

export type SignatureVerdict =
  { ok: true; timestampSeconds: number; signature: string } | { ok: false; reason: string };

/**
 * Request headers by lower-case name, as Node and API Gateway v2 give them; only
 * `x-slack-request-timestamp` and `x-slack-signature` are read.
 */
export type SignatureHeaders = Record<string, string | string[] | undefined>;

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;

/**
 * Checks a request's signature and timestamp against `nowMs`. Never throws; says why a request
 * is refused (for the log, never for the sender).
 */
export function verifySlackSignature(
  signingSecret: string,
  headers: SignatureHeaders,
  rawBody: string | Buffer,
  nowMs: number,
): SignatureVerdict {
  const timestamp = single(headers['x-slack-request-timestamp']);
  const signature = single(headers['x-slack-signature']);
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: 'not signed' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'the timestamp is not a number' };
  const timestampSeconds = Number(timestamp);
  const skew = Math.floor(nowMs / 1000) - timestampSeconds;
  if (skew > REQUEST_WINDOW_SECONDS) return { ok: false, reason: 'the timestamp is too old' };
  if (-skew > REQUEST_WINDOW_SECONDS) return { ok: false, reason: 'the timestamp is in the future' };
  const expected = Buffer.from(
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the signature does not match' };
  }
  return { ok: true, timestampSeconds, signature };
}

/** What a receiver hands the app so that a request seen before has no second effect. */
export interface ReplayKey {
  /** A digest: of the signature (HTTP), or of the envelope id (Socket Mode). */
  key: string;
  /** Epoch ms until which a repeat is a replay. */
  until: number;
}

/**
 * The replay key of a signed HTTP request: a signature is unique to its timestamp and body,
 * and is accepted until its timestamp leaves the window, so it is remembered until then (a
 * minute more, for clocks that differ between replicas).
 */
export function replayKeyOfSignature(signature: string, timestampSeconds: number): ReplayKey {
  return {
    key: `sig:${createHash('sha256').update(signature).digest('base64url')}`,
    until: (timestampSeconds + REQUEST_WINDOW_SECONDS) * 1000 + 60_000,
  };
}

/**
 * How long a Socket Mode envelope id is remembered. Envelopes carry no timestamp; Slack retries
 * an event three times, the last about five minutes after the first (docs.slack.dev, Events API
 * "Failure conditions": nearly immediately, after 1 minute, after 5 minutes), so half an hour
 * covers any redelivery.
 */
export const ENVELOPE_MEMORY_MS = 30 * 60_000;

/** The replay key of a Socket Mode envelope. */
export function replayKeyOfEnvelope(envelopeId: string, nowMs: number): ReplayKey {
  return {
    key: `env:${createHash('sha256').update(envelopeId).digest('base64url')}`,
    until: nowMs + ENVELOPE_MEMORY_MS,
  };
}
