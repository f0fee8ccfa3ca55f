/**
 * The Amazon SES SMTP password of an IAM access key, as AWS documents it ("Obtaining Amazon
 * SES SMTP credentials by converting existing AWS credentials", SES developer guide): an
 * HMAC-SHA256 chain in the style of a SigV4 signing key, with fixed date, service, terminal
 * and message, scoped to one region, prefixed with the version byte 0x04 and base64-encoded.
 * The SMTP user name is the access key id itself.
 *
 * Pure: no I/O, nothing logged. The password is as secret as the key it comes from.
 */
import { createHmac } from 'node:crypto';

/** Fixed by AWS: "These values are required to calculate the signature. Do not change them." */
const DATE = '11111111';
const SERVICE = 'ses';
const MESSAGE = 'SendRawEmail';
const TERMINAL = 'aws4_request';
/** The version byte of region-scoped (SigV4-style) SMTP passwords. */
export const SMTP_PASSWORD_VERSION = 0x04;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function sign(key: Buffer, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

/**
 * The SMTP password for `secretAccessKey` in `region` (for example `eu-west-1`). The same key
 * gives a different password in each region; SES accepts it only at that region's endpoint.
 */
export function sesSmtpPassword(secretAccessKey: string, region: string): string {
  if (!secretAccessKey) throw new Error('no secret access key');
  if (!REGION.test(region)) throw new Error(`"${region}" is not an AWS region name`);
  let signature = sign(Buffer.from(`AWS4${secretAccessKey}`, 'utf8'), DATE);
  for (const part of [region, SERVICE, TERMINAL, MESSAGE]) signature = sign(signature, part);
  return Buffer.concat([Buffer.from([SMTP_PASSWORD_VERSION]), signature]).toString('base64');
}

/** The SES SMTP endpoint of a region (STARTTLS on 587, TLS wrapper on 465). */
export function sesSmtpEndpoint(region: string): string {
  return `email-smtp.${region}.amazonaws.com`;
}
