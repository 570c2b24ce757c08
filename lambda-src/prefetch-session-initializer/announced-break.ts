/**
 * Announced ad breaks: the pure rules (is the announcement valid, which SINGLE prefetch schedules it becomes, which
 * schedules are expired and ours to delete) and the two jobs built on them (schedule a break, sweep expired
 * schedules) around an injected {@link PrefetchScheduleStore}.
 */
import {
  AnnouncedBreakDetail, announcedBreakEnvironment, announcedBreakTiming, announcedScheduleNamePrefix, maxAnnouncementLeadSeconds,
  maxBreakDurationSeconds, maxBreakIdLength,
} from '../../src/prefetch-session-initializer/contract/announced-break';
import { maxActivePrefetchSchedules, streamIds } from '../../src/prefetch-session-initializer/contract/stream-groups';

/** How the function is configured (from its environment). */
export interface AnnouncedBreakConfig {
  /** The one playback configuration whose schedules the function manages. */
  readonly playbackConfigurationName: string;
  /** Stream ids are `1` .. `groupCount`. */
  readonly groupCount: number;
  /** The first group starts retrieving this long before the break. */
  readonly retrievalLeadSeconds: number;
  /** The last group stops retrieving this long before the break. */
  readonly retrievalEndsBeforeBreakSeconds: number;
  /** Announced breaks whose schedules may be active at once. */
  readonly maxOverlappingBreaks: number;
}

/** Reads the configuration the construct wrote into the environment; throws naming a missing or bad variable. */
export function readAnnouncedBreakConfig(env: Record<string, string | undefined>): AnnouncedBreakConfig {
  const integer = (name: string, fallback: number | undefined, minimum: number, maximum: number): number => {
    const text = env[name];
    if ((text === undefined || text === '') && fallback !== undefined) return fallback;
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isInteger(value) || value < minimum || value > maximum) {
      throw new Error(`environment variable ${name} must be an integer from ${minimum} to ${maximum}, got '${text ?? ''}'`);
    }
    return value;
  };
  const name = env[announcedBreakEnvironment.playbackConfigurationName];
  if (!name) throw new Error(`environment variable ${announcedBreakEnvironment.playbackConfigurationName} is not set`);
  const { retrievalLeadSeconds: lead, retrievalEndsBeforeBreakSeconds: endsBefore } = announcedBreakTiming;
  return {
    playbackConfigurationName: name,
    groupCount: integer(announcedBreakEnvironment.groupCount, undefined, 1, maxActivePrefetchSchedules),
    retrievalLeadSeconds: integer(announcedBreakEnvironment.retrievalLeadSeconds, lead.default, lead.minimum, lead.maximum),
    retrievalEndsBeforeBreakSeconds: integer(
      announcedBreakEnvironment.retrievalEndsBeforeBreakSeconds, endsBefore.default, endsBefore.minimum, endsBefore.maximum),
    maxOverlappingBreaks: integer(announcedBreakEnvironment.maxOverlappingBreaks, 1, 1, maxActivePrefetchSchedules),
  };
}

/** A validated announcement. */
export interface AnnouncedBreak {
  /** What names the break's schedules: the `breakId`, or `t<epoch seconds>`. */
  readonly breakKey: string;
  /** Break start, epoch seconds. */
  readonly breakAt: number;
  readonly durationSeconds: number;
  readonly availMatchingCriteria: string[];
  readonly dynamicVariables: Record<string, string>;
}

const detailKeys: ReadonlyArray<keyof AnnouncedBreakDetail> = [
  'playbackConfigurationName', 'breakTime', 'durationSeconds', 'breakId', 'availMatchingCriteria', 'dynamicVariables',
];
const isoTimeWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const namePart = /^[A-Za-z0-9_-]+$/;
const maxMatchingCriteria = 5;
const maxDynamicVariables = 100;
const maxVariableLength = 256;

/** The event's `detail` as an {@link AnnouncedBreak}, or why it is not a valid announcement for `config`. */
export function parseAnnouncedBreak(detail: unknown, config: AnnouncedBreakConfig): { announced: AnnouncedBreak } | { problem: string } {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { problem: 'detail must be a JSON object' };
  const fields = detail as Record<string, unknown>;
  const unknownKey = Object.keys(fields).find((key) => !(detailKeys as string[]).includes(key));
  if (unknownKey !== undefined) return { problem: `detail has an unknown key '${unknownKey.slice(0, 64)}'; accepted: ${detailKeys.join(', ')}` };
  if (fields.playbackConfigurationName !== config.playbackConfigurationName) {
    return { problem: `playbackConfigurationName must be '${config.playbackConfigurationName}' (the configuration this function manages), got ${quote(fields.playbackConfigurationName)}` };
  }
  const breakTime = fields.breakTime;
  const breakMs = typeof breakTime === 'string' && isoTimeWithZone.test(breakTime) ? Date.parse(breakTime) : NaN;
  if (Number.isNaN(breakMs)) return { problem: `breakTime must be an ISO-8601 time with a zone (e.g. 2026-12-01T20:15:00Z), got ${quote(breakTime)}` };
  const duration = fields.durationSeconds;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > maxBreakDurationSeconds) {
    return { problem: `durationSeconds must be an integer from 1 to ${maxBreakDurationSeconds}, got ${quote(duration)}` };
  }
  const breakAt = Math.floor(breakMs / 1000);
  const breakId = fields.breakId;
  if (breakId !== undefined && (typeof breakId !== 'string' || !namePart.test(breakId) || breakId.length > maxBreakIdLength)) {
    return { problem: `breakId must be 1 to ${maxBreakIdLength} letters, digits, '-' or '_', got ${quote(breakId)}` };
  }
  const criteria = fields.availMatchingCriteria ?? [];
  if (!Array.isArray(criteria) || criteria.length > maxMatchingCriteria || !criteria.every(isVariableName)) {
    return { problem: `availMatchingCriteria must be at most ${maxMatchingCriteria} dynamic variable names, got ${quote(criteria)}` };
  }
  const variables = fields.dynamicVariables ?? {};
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    return { problem: `dynamicVariables must be an object of strings, got ${quote(variables)}` };
  }
  const entries = Object.entries(variables as Record<string, unknown>);
  if (entries.length > maxDynamicVariables) return { problem: `dynamicVariables holds at most ${maxDynamicVariables}, got ${entries.length}` };
  const bad = entries.find(([key, value]) => !isVariableName(key) || typeof value !== 'string' || value.length > maxVariableLength);
  if (bad) return { problem: `dynamicVariables '${bad[0].slice(0, 64)}' must be a variable name with a string value of at most ${maxVariableLength} characters` };
  return {
    announced: {
      breakKey: (breakId as string | undefined) ?? `t${breakAt}`,
      breakAt,
      durationSeconds: duration,
      availMatchingCriteria: criteria as string[],
      dynamicVariables: Object.fromEntries(entries) as Record<string, string>,
    },
  };
}

function isVariableName(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128 && /^[A-Za-z0-9_.]+$/.test(value);
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The name of the schedule of `streamId` for the break named `breakKey`. */
export function announcedScheduleName(breakKey: string, streamId: string): string {
  return `${announcedScheduleNamePrefix}${breakKey}-${streamId}`;
}

/** The break key of one of our schedule names; undefined when the name is not one of ours. */
export function breakKeyOf(scheduleName: string): string | undefined {
  if (!scheduleName.startsWith(announcedScheduleNamePrefix)) return undefined;
  const lastDash = scheduleName.lastIndexOf('-');
  return lastDash > announcedScheduleNamePrefix.length ? scheduleName.slice(announcedScheduleNamePrefix.length, lastDash) : undefined;
}

/** One SINGLE prefetch schedule to create (times in epoch seconds). */
export interface SingleScheduleRequest {
  readonly name: string;
  readonly streamId: string;
  readonly retrievalStart: number;
  readonly retrievalEnd: number;
  /** RETRIEVAL_WINDOW traffic shaping: the group's requests spread over its whole window. */
  readonly retrievalWindowSeconds: number;
  readonly consumptionStart: number;
  readonly consumptionEnd: number;
  readonly availMatchingCriteria: string[];
  readonly dynamicVariables: Record<string, string>;
}

/**
 * The schedules of one announced break: the time from `retrievalLead` before the break (or now, when announced
 * later) to `retrievalEndsBeforeBreak` before it is cut into one consecutive slice per group, so the groups reach the
 * ADS one after another, each spread over its slice; the prefetched ads are usable from the end of retrieval to
 * {@link announcedBreakTiming.consumptionAfterBreakSeconds} after the break. Or why the break cannot be scheduled.
 */
export function planBreakSchedules(
  announced: AnnouncedBreak, config: AnnouncedBreakConfig, nowSeconds: number,
): { schedules: SingleScheduleRequest[] } | { problem: string } {
  const now = Math.ceil(nowSeconds);
  const consumptionEnd = announced.breakAt + announced.durationSeconds + announcedBreakTiming.consumptionAfterBreakSeconds;
  if (consumptionEnd - now >= maxAnnouncementLeadSeconds) {
    return { problem: `the break at ${iso(announced.breakAt)} is too far ahead: its prefetched ads would stay usable until ${iso(consumptionEnd)}, and MediaTailor accepts less than ${maxAnnouncementLeadSeconds / 3600} hours from now` };
  }
  const windowEnd = announced.breakAt - config.retrievalEndsBeforeBreakSeconds;
  const windowStart = Math.max(now, announced.breakAt - config.retrievalLeadSeconds);
  const slice = Math.floor((windowEnd - windowStart) / config.groupCount);
  if (slice < 1) {
    return { problem: `the break at ${iso(announced.breakAt)} is announced too late: retrieval must end ${config.retrievalEndsBeforeBreakSeconds} s before it, which leaves less than one second for each of ${config.groupCount} groups` };
  }
  return {
    schedules: streamIds(config.groupCount).map((streamId, index) => ({
      name: announcedScheduleName(announced.breakKey, streamId),
      streamId,
      retrievalStart: windowStart + index * slice,
      retrievalEnd: windowStart + (index + 1) * slice,
      retrievalWindowSeconds: slice,
      consumptionStart: windowEnd,
      consumptionEnd,
      availMatchingCriteria: announced.availMatchingCriteria,
      dynamicVariables: announced.dynamicVariables,
    })),
  };
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A SINGLE schedule as ListPrefetchSchedules shows it. */
export interface ListedSchedule {
  readonly name: string;
  /** End of its consumption window, epoch seconds. */
  readonly consumptionEnd: number;
}

/** The playback configuration's SINGLE prefetch schedules, as far as the function is allowed to manage them. */
export interface PrefetchScheduleStore {
  /** Its SINGLE schedules (at most {@link maxListPages} pages); `complete` is false when there were more. */
  listSingle(): Promise<{ schedules: ListedSchedule[]; complete: boolean }>;
  /** Whether a schedule of that name exists (and has not expired out of MediaTailor's sight). */
  exists(name: string): Promise<boolean>;
  /** Creates the schedule; throws {@link ScheduleRefusedError} when MediaTailor refuses it as invalid. */
  create(schedule: SingleScheduleRequest): Promise<void>;
  /** Deletes the schedule; one that is gone already counts as deleted. */
  delete(name: string): Promise<void>;
}

/** MediaTailor refused a schedule as invalid (a 400): retrying the same request cannot help. */
export class ScheduleRefusedError extends Error {}

/** How an announcement ended. */
export type AnnouncementOutcome =
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'scheduled'; readonly breakKey: string; readonly created: string[]; readonly existing: string[] };

/**
 * Schedules an announced break: refuses an invalid or untimely announcement and one that would exceed the
 * configuration's share of the schedule quota; creates each group's schedule unless one of that name exists
 * (idempotent: a retried or repeated announcement creates nothing new). MediaTailor failures other than a refusal
 * are thrown, for the invocation to be retried.
 */
export async function scheduleAnnouncedBreak(
  detail: unknown, deps: { config: AnnouncedBreakConfig; store: PrefetchScheduleStore; nowSeconds: number },
): Promise<AnnouncementOutcome> {
  const parsed = parseAnnouncedBreak(detail, deps.config);
  if ('problem' in parsed) return { kind: 'rejected', reason: parsed.problem };
  const plan = planBreakSchedules(parsed.announced, deps.config, deps.nowSeconds);
  if ('problem' in plan) return { kind: 'rejected', reason: plan.problem };
  const { breakKey } = parsed.announced;
  const listed = await deps.store.listSingle();
  const ours = listed.schedules.filter((schedule) => breakKeyOf(schedule.name) !== undefined);
  const otherActiveBreaks = new Set(ours
    .filter((schedule) => schedule.consumptionEnd > deps.nowSeconds && breakKeyOf(schedule.name) !== breakKey)
    .map((schedule) => breakKeyOf(schedule.name)));
  if (otherActiveBreaks.size >= deps.config.maxOverlappingBreaks) {
    return {
      kind: 'rejected',
      reason: `break '${breakKey}' would be announced break ${otherActiveBreaks.size + 1} with active schedules; the construct reserved `
        + `prefetch-schedule quota for ${deps.config.maxOverlappingBreaks} (maxOverlappingBreaks) x ${deps.config.groupCount} groups`,
    };
  }
  const existingNames = new Set(ours.map((schedule) => schedule.name));
  const created: string[] = [];
  const existing: string[] = [];
  for (const schedule of plan.schedules) {
    if (existingNames.has(schedule.name)) {
      existing.push(schedule.name);
      continue;
    }
    try {
      await deps.store.create(schedule);
      created.push(schedule.name);
    } catch (error) {
      // a concurrent retry may have created it between our list and our create
      if (error instanceof ScheduleRefusedError && await deps.store.exists(schedule.name)) {
        existing.push(schedule.name);
        continue;
      }
      if (error instanceof ScheduleRefusedError) return { kind: 'rejected', reason: `MediaTailor refused schedule ${schedule.name}: ${error.message}` };
      throw error;
    }
  }
  return { kind: 'scheduled', breakKey, created, existing };
}

/**
 * Deletes our expired schedules: SINGLE, named with {@link announcedScheduleNamePrefix}, consumption window ended at
 * least {@link announcedBreakTiming.sweepAfterConsumptionSeconds} ago. Schedules anyone else named, recurring
 * schedules and schedules still in use are never touched.
 */
export async function sweepExpiredSchedules(
  deps: { store: PrefetchScheduleStore; nowSeconds: number },
): Promise<{ deleted: string[]; complete: boolean }> {
  const listed = await deps.store.listSingle();
  const expired = listed.schedules.filter((schedule) => breakKeyOf(schedule.name) !== undefined
    && schedule.consumptionEnd + announcedBreakTiming.sweepAfterConsumptionSeconds <= deps.nowSeconds);
  const deleted: string[] = [];
  for (const schedule of expired) {
    await deps.store.delete(schedule.name);
    deleted.push(schedule.name);
  }
  return { deleted, complete: listed.complete };
}
