/**
 * The record of where each IAM user's access key lives: the secrets and parameters the key was
 * written into, the places outside AWS that were ticked off by hand, and a free-text note. It
 * replaces the spreadsheet teams keep ("the AWS User Keys spreadsheet" of the GOV.UK runbook):
 * shown in `/rotate-key due` and in a rotation's inspect step, and offered as the starting
 * checklist of the next rotation.
 *
 * One store record per account and user (kind `key-home`, id `<account>/<user name in lower
 * case>`, since IAM user names are unique case-insensitively; state = the account id, so one query
 * lists an account's records). Written at the end of a rotation and from the "where the key
 * lives" window; every write is a compare-and-set, retried on a lost race. Never a secret value.
 */
import type { ChecklistPlace, Rotation } from './rotation.js';
import type { KeyLayout } from './key-places.js';
import { ConflictError, type Store, type StoredRecord } from '../../store/store.js';

export const KEY_HOME_KIND = 'key-home' as const;

/** A secret (`name`) or parameter (`ssm:/name`) the key was written into. */
export interface KeyHomePlace {
  name: string;
  /** The fields it was written in, so the next rotation can show them before reading anything. */
  layout?: KeyLayout;
  /** When locksmith last wrote a key there (epoch ms); absent for a place updated by hand. */
  writtenAt?: number;
}

/** A place outside AWS (a control panel, a CI system) the key is typed into. */
export interface KeyHomeThirdParty {
  name: string;
  link?: string;
  /** Who last ticked it off in a rotation, and when. */
  ticked?: { by: string; at: number };
}

export interface KeyHome {
  account: string;
  /** As IAM spells it (the last rotation's spelling). */
  userName: string;
  places: KeyHomePlace[];
  thirdParty: KeyHomeThirdParty[];
  note?: string;
  /** Who last changed the note or the places outside AWS by hand, and when. */
  editedBy?: { by: string; at: number };
  /** The rotation that last updated the record. */
  lastRotation?: { id: string; at: number; by: string };
}

/** The 12-digit account of an ARN. */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

export function keyHomeId(account: string, userName: string): string {
  return `${account}/${userName.toLowerCase()}`;
}

export function emptyKeyHome(account: string, userName: string): KeyHome {
  return { account, userName, places: [], thirdParty: [] };
}

export async function getKeyHome(
  store: Pick<Store, 'get'>,
  account: string,
  userName: string,
): Promise<KeyHome | undefined> {
  const rec = await store.get<KeyHome>(KEY_HOME_KIND, keyHomeId(account, userName));
  return rec?.data;
}

/** Every record of an account, by lower-cased user name. */
export async function listKeyHomes(
  store: Pick<Store, 'query'>,
  account: string,
): Promise<Map<string, KeyHome>> {
  const records = await store.query<KeyHome>({ kind: KEY_HOME_KIND, states: [account] });
  return new Map(records.map((r) => [r.data.userName.toLowerCase(), r.data]));
}

/**
 * Changes the record of `userName` (creating it when there is none) with `change`, a pure
 * function of the record as it is now; retried when someone else wrote meanwhile.
 */
export async function updateKeyHome(
  store: Pick<Store, 'get' | 'create' | 'update'>,
  account: string,
  userName: string,
  change: (home: KeyHome) => KeyHome,
  now: number,
): Promise<KeyHome> {
  const id = keyHomeId(account, userName);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current: StoredRecord<KeyHome> | undefined = await store.get<KeyHome>(KEY_HOME_KIND, id);
    const next = change(current ? structuredClone(current.data) : emptyKeyHome(account, userName));
    if (!current) {
      try {
        await store.create<KeyHome>({ kind: KEY_HOME_KIND, id, state: account, data: next }, now);
        return next;
      } catch (err) {
        if (err instanceof ConflictError) continue;
        throw err;
      }
    }
    const saved = await store.update<KeyHome>(
      KEY_HOME_KIND,
      id,
      current.version,
      { state: account, data: next },
      now,
    );
    if (saved) return next;
  }
  throw new ConflictError(KEY_HOME_KIND, id);
}

/**
 * The record after a finished rotation: the places the new key was written into, and the places
 * updated by hand that were ticked off (or remembered and kept on the checklist). Places the
 * person left out are dropped: the key no longer lives there. Pure.
 */
export function homeAfterRotation(home: KeyHome, rotation: Rotation, now: number): KeyHome {
  const places: KeyHomePlace[] = [];
  for (const s of rotation.places.secrets) {
    if (s.written) {
      const layout = s.written.layout ?? s.layout;
      places.push({ name: s.name, ...(layout ? { layout } : {}), writtenAt: s.written.at });
    }
  }
  const kept = (p: ChecklistPlace): boolean =>
    p.ticked !== undefined || (p.source === 'remembered' && p.selected);
  for (const p of rotation.places.checklist) {
    if (p.source === 'secret' && kept(p) && !places.some((x) => x.name === p.name))
      places.push({ name: p.name });
  }
  const thirdParty: KeyHomeThirdParty[] = rotation.places.checklist
    .filter((p) => p.source !== 'secret' && kept(p))
    .map((p) => ({
      name: p.name,
      ...(p.link ? { link: p.link } : {}),
      ...(p.ticked ? { ticked: { ...p.ticked } } : {}),
    }));
  return {
    ...home,
    userName: rotation.userName,
    places,
    thirdParty,
    lastRotation: { id: rotation.id, at: now, by: rotation.requester.slackId },
  };
}

/** The places of a record as one short line: "app/deploy, ssm:/ci/aws, Datadog". */
export function homeSummary(home: KeyHome, max = 4): string {
  const names = [...home.places.map((p) => p.name), ...home.thirdParty.map((p) => p.name)];
  if (names.length === 0) return home.note ? 'see note' : '';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Places outside AWS as a person types them in the "where the key lives" window, one a line:
 * `Name` or `Name https://link`. Lines that are empty are skipped; at most 20 places of 80
 * characters. Pure.
 */
export function parseThirdPartyLines(text: string): KeyHomeThirdParty[] {
  const out: KeyHomeThirdParty[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(.*?)\s+(https?:\/\/\S+)$/.exec(line);
    const name = (m ? m[1]! : line).trim().slice(0, 80);
    if (!name || out.some((p) => p.name.toLowerCase() === name.toLowerCase())) continue;
    out.push({ name, ...(m ? { link: m[2]! } : {}) });
    if (out.length >= 20) break;
  }
  return out;
}
