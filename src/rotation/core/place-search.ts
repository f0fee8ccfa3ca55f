/** What a locate of the places holding a key covered, and what it left out, in sentences. */
/** What a locate covered. */
export interface PlaceSearch {
  /** `indexed`: by tag and the remembered places only; `full`: every value the role can read. */
  mode: 'indexed' | 'full';
  at: number;
  secrets: SearchCount;
  parameters: SearchCount;
  /** Places found by tag, or remembered (before any value was read). */
  tagged: number;
  /** Places found by the scan that locksmith tagged, and those it could not tag (why). */
  newlyTagged?: number;
  untagged?: string[];
}

export interface SearchCount {
  /** Listed by name (no value read). */
  listed: number;
  /** Values read and searched. */
  read: number;
  /** Listed but not readable (access denied, binary, decryption failed): names, up to 20. */
  unreadable: string[];
  unreadableCount: number;
  /** The scan stopped at its limit: more were there. */
  capped: boolean;
  /** IAM denied the listing or the reads as a whole (which action): nothing of this kind was searched. */
  denied?: string;
}

/**
 * Whether every place the role can see was searched: only a full scan that read every secret
 * and parameter it listed, with no limit reached. An indexed search covers what locksmith tagged.
 */
export function searchComplete(search: PlaceSearch | undefined): boolean {
  if (!search || search.mode !== 'full') return false;
  return [search.secrets, search.parameters].every(
    (c) => !c.capped && c.unreadableCount === 0 && c.denied === undefined,
  );
}

/** What the search did not cover, as sentences for the status and the approval request. */
export function searchGaps(search: PlaceSearch | undefined): string[] {
  if (!search) return ['the places were not searched'];
  if (search.mode === 'indexed') {
    const gaps = [
      'only secrets and parameters locksmith tagged (or remembered from earlier rotations) were looked at; no value was read',
    ];
    for (const [what, c] of [
      ['secrets', search.secrets],
      ['parameters', search.parameters],
    ] as const) {
      if (c.denied) gaps.push(`no ${what} were looked up: IAM denied ${c.denied}`);
    }
    return gaps;
  }
  const gaps: string[] = [];
  for (const [what, c] of [
    ['secrets', search.secrets],
    ['parameters', search.parameters],
  ] as const) {
    if (c.denied) gaps.push(`no ${what} were searched: IAM denied ${c.denied}`);
    if (c.capped) gaps.push(`the scan stopped at ${c.listed} ${what}; there are more`);
    if (c.unreadableCount) {
      const names = c.unreadable.slice(0, 5).join(', ');
      gaps.push(
        `${c.unreadableCount} ${what} could not be read (${names}${c.unreadableCount > 5 ? ', …' : ''})`,
      );
    }
  }
  return gaps;
}

export function emptyCount(): SearchCount {
  return { listed: 0, read: 0, unreadable: [], unreadableCount: 0, capped: false };
}

/** Counts a place not read, naming the first 20. */
export function unreadable(count: SearchCount, name: string): void {
  count.unreadableCount++;
  if (count.unreadable.length < 20) count.unreadable.push(name);
}
