/**
 * The announced-break contract: the EventBridge event a broadcaster's system sends when it knows an ad break is
 * coming, and what the construct and the announced-break function share about it (names, environment, metrics,
 * defaults). Free of aws-cdk-lib (handler-importable).
 */
import { sessionMetrics } from './protocol';

/** EventBridge `source` of an announced break. */
export const announcedBreakEventSource = 'cdk-ott-constructs.prefetch-session-initializer';

/** EventBridge `detail-type` of an announced break. */
export const announcedBreakDetailType = 'Ad Break Announced';

/**
 * The `detail` of an announced-break event (`source` {@link announcedBreakEventSource}, `detail-type`
 * {@link announcedBreakDetailType}). The construct's rule matches on `playbackConfigurationName`; the function
 * creates one SINGLE prefetch schedule per prefetch group for the break.
 */
export interface AnnouncedBreakDetail {
  /** The playback configuration the break is for (the rule only forwards events naming the construct's). */
  readonly playbackConfigurationName: string;
  /** When the ad break starts (ISO-8601 with a time zone, e.g. `2026-12-01T20:15:00Z`). */
  readonly breakTime: string;
  /** How long the break lasts, in whole seconds (1 to 3600). */
  readonly durationSeconds: number;
  /**
   * Names the break: letters, digits, `-` and `_`, at most 32. Announcing the same break again (or a retry) maps
   * to the same schedule names, so it creates nothing new.
   * @default - `t<breakTime in epoch seconds>`
   */
  readonly breakId?: string;
  /**
   * Dynamic variables (e.g. `scte.event_id`) whose values must be equal in the avail for the prefetched ads to be
   * used there; at most 5.
   * @default - the prefetched ads fill the first avail in the consumption window
   */
  readonly availMatchingCriteria?: string[];
  /**
   * Values of dynamic variables for the prefetch requests to the ad decision server (and the values the avail is
   * matched against); at most 100, strings.
   * @default - MediaTailor interpolates each session's own values
   */
  readonly dynamicVariables?: Record<string, string>;
}

/** Prefix of every schedule the announced-break function creates: the only schedules it ever deletes. */
export const announcedScheduleNamePrefix = 'announced-break-';

/** Longest `breakId`: the schedule name `<prefix><breakId>-<stream id>` stays within MediaTailor's 64 characters. */
export const maxBreakIdLength = 32;

/** Longest announced break, in seconds. */
export const maxBreakDurationSeconds = 3600;

/**
 * How far ahead a break may be announced: MediaTailor refuses a consumption window ending one day or more from now
 * (MediaTailor UG, "Creating prefetch schedules").
 */
export const maxAnnouncementLeadSeconds = 24 * 3600;

/** Timing defaults and limits, in seconds, applied by the construct and the function alike. */
export const announcedBreakTiming = {
  /** How long before the break the first group starts retrieving, unless `retrievalLead` says otherwise. */
  retrievalLeadSeconds: { default: 300, minimum: 10, maximum: 3600 },
  /** How long before the break the last group stops retrieving, unless `retrievalEndsBeforeBreak` says otherwise. */
  retrievalEndsBeforeBreakSeconds: { default: 30, minimum: 0, maximum: 600 },
  /** Prefetched ads stay usable this long after the break's announced end (players run behind the live edge). */
  consumptionAfterBreakSeconds: 120,
  /** The sweep deletes a schedule once its consumption window ended this long ago. */
  sweepAfterConsumptionSeconds: 300,
} as const;

/** How often the sweep deletes expired announced-break schedules, in minutes. */
export const sweepIntervalMinutes = 60;

/** Attempts per MediaTailor call (the first plus retries on throttling and 5xx, with the SDK's backoff). */
export const mediaTailorMaxAttempts = 5;

/** Most ListPrefetchSchedules pages (100 each) read by one invocation. */
export const maxListPages = 20;

/** Environment variables through which the construct configures the announced-break function. */
export const announcedBreakEnvironment = {
  /** The playback configuration whose schedules the function manages. */
  playbackConfigurationName: 'BREAK_PLAYBACK_CONFIGURATION_NAME',
  /** Number of prefetch groups (stream ids 1..N). */
  groupCount: 'BREAK_GROUP_COUNT',
  /** Seconds before the break the first group starts retrieving. */
  retrievalLeadSeconds: 'BREAK_RETRIEVAL_LEAD_SECONDS',
  /** Seconds before the break the last group stops retrieving. */
  retrievalEndsBeforeBreakSeconds: 'BREAK_RETRIEVAL_ENDS_BEFORE_SECONDS',
  /** Announced breaks whose schedules may be active at once (the quota share the construct reserved). */
  maxOverlappingBreaks: 'BREAK_MAX_OVERLAPPING',
} as const;

/** CloudWatch namespace and metric names of the announced-break function (EMF). */
export const announcedBreakMetrics = {
  /** The construct's one namespace. */
  namespace: sessionMetrics.namespace,
  /** Prefetch schedules created for announced breaks (an existing one with the same name is not counted). */
  schedulesCreated: 'AnnouncedSchedulesCreated',
  /** Announcements refused: malformed, too late, too far ahead, or over the reserved quota. */
  rejectedAnnouncements: 'RejectedAnnouncements',
  /** MediaTailor calls that failed after their retries (the invocation fails and EventBridge/Lambda retry it). */
  mediaTailorFailures: 'AnnouncedBreakMediaTailorFailures',
  /** Expired announced-break schedules the sweep deleted. */
  schedulesDeleted: 'AnnouncedSchedulesDeleted',
} as const;
