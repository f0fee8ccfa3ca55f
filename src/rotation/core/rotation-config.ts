/** The rotation settings (`rotation.*` in the config file) and their defaults. */
/** Settings from `rotation.*` in the config file (per role/account where the config allows). */
export interface RotationConfig {
  maxKeyAgeDays: number;
  pollMinutes: number;
  quietHours: number;
  graceDays: number;
  /** Which steps need an approval in the approvals channel. */
  approvals: { deleteExtraKey: boolean; deactivate: boolean; delete: boolean };
  /** Places outside AWS that hold keys (control panels): a checklist the person ticks off. */
  thirdPartyPlaces: Array<{ name: string; link: string }>;
  /**
   * How long a runner owns a step it started (an intent). After that another runner, or the
   * same one after a restart, may take the step over and finish it.
   */
  leaseMinutes: number;
  /** The full scan of places (the explicit "search every secret" choice). */
  scan: ScanLimits;
}

/**
 * How hard the full scan may push Secrets Manager and Parameter Store. Secrets Manager's
 * documented quotas (per account and Region, not adjustable): ListSecrets 100/s,
 * BatchGetSecretValue 100/s; Parameter Store's GetParametersByPath shares the standard
 * throughput of 40/s. The defaults keep well under them, so other users of the account are not
 * throttled; a scan that reaches `maxSecrets` or `maxParameters` stops and says so.
 */
export interface ScanLimits {
  callsPerSecond: number;
  maxSecrets: number;
  maxParameters: number;
}

export const DEFAULT_ROTATION_CONFIG: RotationConfig = {
  maxKeyAgeDays: 90,
  pollMinutes: 15,
  quietHours: 24,
  graceDays: 7,
  approvals: { deleteExtraKey: true, deactivate: true, delete: true },
  thirdPartyPlaces: [],
  leaseMinutes: 5,
  scan: { callsPerSecond: 20, maxSecrets: 20_000, maxParameters: 10_000 },
};

export type RotationConfigInput = Partial<Omit<RotationConfig, 'approvals' | 'scan'>> & {
  approvals?: Partial<RotationConfig['approvals']>;
  scan?: Partial<ScanLimits>;
};

/** The defaults with `input` laid over them. */
export function rotationConfig(input: RotationConfigInput = {}): RotationConfig {
  return {
    ...DEFAULT_ROTATION_CONFIG,
    ...input,
    approvals: { ...DEFAULT_ROTATION_CONFIG.approvals, ...input.approvals },
    scan: { ...DEFAULT_ROTATION_CONFIG.scan, ...input.scan },
    thirdPartyPlaces: input.thirdPartyPlaces ?? DEFAULT_ROTATION_CONFIG.thirdPartyPlaces,
  };
}
