/**
 * MediaTailor channel-assembly time-shift facts shared by the construct, its cache policies, the fake channel
 * origin of the tests and the README. Kept free of aws-cdk-lib so any handler may import it.
 *
 * Sources (MediaTailor User Guide):
 * - https://docs.aws.amazon.com/mediatailor/latest/ug/time-shift-paramaters.html (timeDelay, startTime)
 * - https://docs.aws.amazon.com/mediatailor/latest/ug/time-shift-with-cdn.html (what a CDN must key and cache)
 * - https://docs.aws.amazon.com/mediatailor/latest/ug/generating-audience-specific-manifests.html (audienceId)
 * - https://docs.aws.amazon.com/mediatailor/latest/ug/channel-assembly-time-shift.html, "Enable time-shifted viewing"
 *   version (0-21,600 s, STANDARD tier, LINEAR mode, startover rule). A newer version of that page, and
 *   channel-assembly-cdn-timeshift.html, describe a relative `start=-3600` parameter on a MediaPackage URL with a
 *   24 h window: that contradicts the API and CloudFormation (MaxTimeDelaySeconds <= 21,600) and reads like
 *   MediaPackage's own `start`/`end`, so the `aws.mediatailor.channel.*` pages set the limits here. The cache key
 *   still holds `start`: if the newer pages describe the service, a `start` request is a different manifest, and if
 *   they do not, keying on a parameter the channel ignores only splits the cache for requests that carry it.
 */

/** Query parameters of channel playback requests that select a time-shifted manifest. */
export const timeShiftQuery = {
  /** Seconds (0 to the channel's maximum) by which the live point is moved back. */
  timeDelay: 'aws.mediatailor.channel.timeDelay',
  /**
   * ISO 8601 or epoch seconds: a sliding-window manifest as if requested at that time. MediaTailor turns it into a
   * `timeDelay` computed at request time: HLS multivariant playlists list child URLs carrying the delay; DASH answers
   * 302 Found with `Location: ./<manifest>.mpd?aws.mediatailor.channel.timeDelay=<delay>` (time-shift-with-cdn.html).
   */
  startTime: 'aws.mediatailor.channel.startTime',
  /** Audience-specific manifest (alternate media); a different audience is a different manifest. */
  audienceId: 'aws.mediatailor.channel.audienceId',
  /**
   * Seconds relative to now (`start=-3600`: from one hour ago), as channel-assembly-time-shift.html and
   * channel-assembly-cdn-timeshift.html now describe it; those pages ask CDNs to put it in the cache key.
   */
  relativeStart: 'start',
} as const;

/**
 * Default name of the start-program parameter. time-shift-with-cdn.html names a "start program" parameter that,
 * like startTime, is translated into a time delay at request time, but no stored copy of the parameter page shows
 * its name; this default follows the `aws.mediatailor.channel.*` naming and can be overridden by a prop.
 */
export const defaultStartProgramParameter = 'aws.mediatailor.channel.startProgram';

/** What every start-program parameter name must look like (MediaTailor's own namespace). */
export const timeShiftParameterPattern = /^aws\.mediatailor\.channel\.[A-Za-z]+$/;

/** Every query parameter that selects a different manifest: the cache key of every manifest behavior. */
export function timeShiftCacheKey(startProgramParameter: string = defaultStartProgramParameter): string[] {
  return [timeShiftQuery.timeDelay, timeShiftQuery.startTime, startProgramParameter, timeShiftQuery.audienceId, timeShiftQuery.relativeStart];
}

/** Limits of a channel's TimeShiftConfiguration (CloudFormation AWS::MediaTailor::Channel TimeShiftConfiguration). */
export const timeShiftLimits = {
  /** Largest MaxTimeDelaySeconds: 6 hours. */
  maxTimeDelaySeconds: 21_600,
  /** Margin the startover window of a live source needs beyond max delay + manifest window. */
  startoverMarginSeconds: 600,
  /** Tier time-shifted viewing needs. */
  tier: 'STANDARD',
  /** Playback mode time-shifted viewing needs. */
  playbackMode: 'LINEAR',
} as const;

/**
 * The shortest startover window a MediaPackage live source needs for a channel with this maximum delay and manifest
 * window: "at least 10 minutes longer than the sum of the maximum time delay and the manifest-window duration".
 */
export function minimumStartoverWindowSeconds(maxTimeDelaySeconds: number, manifestWindowSeconds: number): number {
  return maxTimeDelaySeconds + manifestWindowSeconds + timeShiftLimits.startoverMarginSeconds;
}

/** Cache defaults of the time-shift behaviors. */
export const timeShiftCacheDefaults = {
  /** Typical segment duration of a channel: the longest a time-dependent response may be cached. */
  segmentDurationSeconds: 6,
  /** How long segments are cached: they never change. */
  segmentTtlSeconds: 86_400,
} as const;
