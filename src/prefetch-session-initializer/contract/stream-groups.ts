/**
 * Prefetch groups: the stream ids sessions are spread over, and how many fit MediaTailor's prefetch-schedule quota.
 * Pure rules, free of aws-cdk-lib (handler-importable).
 */

/**
 * Active prefetch schedules one playback configuration may have; expired schedules do not count, and the quota is
 * not adjustable (https://docs.aws.amazon.com/mediatailor/latest/ug/quotas.html).
 */
export const maxActivePrefetchSchedules = 25;

/** The stream ids of `groupCount` prefetch groups: `'1'` .. `'<groupCount>'`, as the original initializer used. */
export function streamIds(groupCount: number): string[] {
  const ids: string[] = [];
  for (let group = 1; group <= groupCount; group++) ids.push(String(group));
  return ids;
}

/** Whether `value` is the stream id of one of `groupCount` groups (a client may keep the group it was given). */
export function isStreamId(value: unknown, groupCount: number): value is string {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,2}$/.test(value)) return false;
  return Number(value) <= groupCount;
}

/**
 * The stream id for a new session: `random` is a number in [0, 1) (Math.random), and each of the `groupCount`
 * groups gets an equal share of it.
 */
export function chooseStreamId(groupCount: number, random: number): string {
  return String(Math.min(groupCount - 1, Math.floor(random * groupCount)) + 1);
}

/** Prefetch schedules each group holds at once. */
export interface SchedulesPerGroup {
  /** Recurring schedules declared with the construct (one per group each). */
  readonly recurring: number;
  /** Single schedules for announced breaks that may be active at once (one per group each). */
  readonly single: number;
}

/** The most groups that keep `groups x schedules per group` within {@link maxActivePrefetchSchedules}. */
export function maxGroups(perGroup: SchedulesPerGroup): number {
  const schedules = perGroup.recurring + perGroup.single;
  return schedules === 0 ? maxActivePrefetchSchedules : Math.floor(maxActivePrefetchSchedules / schedules);
}

/**
 * Why `groups` prefetch groups cannot be used with `perGroup` schedules each, with the arithmetic; undefined when
 * they can.
 */
export function groupCountProblem(groups: number, perGroup: SchedulesPerGroup): string | undefined {
  const schedules = perGroup.recurring + perGroup.single;
  const limit = maxGroups(perGroup);
  if (!Number.isInteger(groups) || groups < 1 || groups > limit) {
    const total = Number.isFinite(groups) ? ` (${groups} x ${schedules} = ${groups * schedules})` : '';
    return `prefetchGroups must be an integer from 1 to ${limit}: ${groups} groups x ${schedules} schedules per group `
      + `(${perGroup.recurring} recurring + ${perGroup.single} single)${total} must stay within MediaTailor's `
      + `${maxActivePrefetchSchedules} active prefetch schedules per playback configuration, got ${groups}`;
  }
  return undefined;
}
