/** `rotation.*` from the config file, mapped to the workflow's settings (per role). */
import type { Config } from '../../config.js';
import { type Rotation, type RotationConfig, rotationConfig } from '../core/workflow/index.js';

export type RotationSection = NonNullable<Config['rotation']>;

/**
 * `rotation.*` from the config file, as the runner takes it. With `roleName`, that role's
 * `approvals_by_role` entry overrides the global `approvals` field by field.
 */
export function toRotationConfig(section: RotationSection, roleName?: string): RotationConfig {
  const byRole = roleName !== undefined ? section.approvals_by_role?.[roleName] : undefined;
  const global = section.approvals;
  return rotationConfig({
    maxKeyAgeDays: section.max_key_age_days,
    pollMinutes: section.poll_minutes,
    quietHours: section.quiet_hours,
    graceDays: section.grace_days,
    approvals: {
      deleteExtraKey: byRole?.require_for_delete_extra ?? global.require_for_delete_extra,
      deactivate: byRole?.require_for_deactivate ?? global.require_for_deactivate,
      delete: byRole?.require_for_delete ?? global.require_for_delete,
    },
    thirdPartyPlaces: section.third_party_places.map((p) => ({ name: p.name, link: p.link })),
  });
}

/** The runner's config per rotation: one mapping per role, made once. */
export function rotationConfigByRole(
  section: RotationSection,
): (rotation: Pick<Rotation, 'role'>) => RotationConfig {
  const fallback = toRotationConfig(section);
  const cache = new Map<string, RotationConfig>();
  return (rotation) => {
    const name = rotation.role.name;
    if (!section.approvals_by_role || !Object.hasOwn(section.approvals_by_role, name)) return fallback;
    let c = cache.get(name);
    if (!c) {
      c = toRotationConfig(section, name);
      cache.set(name, c);
    }
    return c;
  };
}
