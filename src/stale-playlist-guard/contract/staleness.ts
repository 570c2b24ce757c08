/**
 * When a live media playlist is stale. Pure rules shared by the origin-mode handler, the benchmark's
 * models and (as a copy of the one comparison, see cloudfront-functions/) the edge function.
 *
 * RFC 8216 §6.2.1: a server makes a new version of a live media playlist available no earlier than
 * 0.5 and no later than 1.5 target durations after the previous one. An observer sees the latest
 * version late by the cache TTLs of whatever sits in between, and S3's Last-Modified is truncated to
 * whole seconds, so a healthy playlist can look up to 1.5 x TD + 2 x cache TTL + 1 s + clock skew old.
 */

/** Whole-second Last-Modified, as S3 and HTTP dates carry it. */
export const lastModifiedGranularityMs = 1000;
/** Clock difference tolerated between the origin that stamps Last-Modified and the one that judges. */
export const clockSkewToleranceMs = 1000;
/** Latest a compliant encoder may update after its previous update, in target durations (RFC 8216 §6.2.1). */
export const maximumUpdateIntervalTargetDurations = 1.5;
/**
 * Caches between S3 and the function that may each keep a playlist for the playlist TTL: the edge location and
 * the regional edge cache in front of it. CloudFront's documentation states TTLs per cache and says nothing
 * about a tier counting the age a copy already had upstream, so the bound assumes the worst: the TTLs add up.
 * (Origin Shield, which the guard does not enable, would be a third tier.)
 */
export const playlistCacheTiers = 2;
/** The multiple of target durations the guard uses unless a larger one is needed to stay safe. */
export const preferredStaleAfterTargetDurations = 3;

/** True when a playlist last modified at `lastModifiedMs` is older than `thresholdMs` at `nowMs`. */
export function isStale(lastModifiedMs: number, nowMs: number, thresholdMs: number): boolean {
  return nowMs - lastModifiedMs > thresholdMs;
}

/** The age past which a playlist of `targetDurationSeconds` is stale, for a multiple of target durations. */
export function staleAfterMs(targetDurationSeconds: number, staleAfterTargetDurations: number): number {
  return Math.round(targetDurationSeconds * staleAfterTargetDurations * 1000);
}

/**
 * The oldest a playlist from a compliant encoder can look to an observer behind {@link playlistCacheTiers} caches
 * of `cacheTtlMs` each: anything older can only come from an encoder that stopped.
 */
export function oldestHealthyAgeMs(targetDurationSeconds: number, cacheTtlMs: number): number {
  return maximumUpdateIntervalTargetDurations * targetDurationSeconds * 1000 + playlistCacheTiers * cacheTtlMs
    + lastModifiedGranularityMs + clockSkewToleranceMs;
}

/** True when a threshold never flags a compliant encoder observed through the caches. */
export function isSafeThreshold(targetDurationSeconds: number, staleAfterTargetDurations: number, cacheTtlMs: number): boolean {
  return Number.isFinite(staleAfterTargetDurations)
    && staleAfterMs(targetDurationSeconds, staleAfterTargetDurations) >= oldestHealthyAgeMs(targetDurationSeconds, cacheTtlMs);
}

/** The smallest safe multiple of target durations, rounded up to a quarter. */
export function minimumStaleAfterTargetDurations(targetDurationSeconds: number, cacheTtlMs: number): number {
  return Math.ceil(oldestHealthyAgeMs(targetDurationSeconds, cacheTtlMs) / (targetDurationSeconds * 1000) * 4) / 4;
}

/** The default multiple: {@link preferredStaleAfterTargetDurations}, or the minimum safe one where that is larger (short TDs). */
export function defaultStaleAfterTargetDurations(targetDurationSeconds: number, cacheTtlMs: number): number {
  return Math.max(preferredStaleAfterTargetDurations, minimumStaleAfterTargetDurations(targetDurationSeconds, cacheTtlMs));
}

/**
 * The default playlist TTL at CloudFront, in whole seconds (CloudFront TTLs are whole seconds): half a target
 * duration, rounded down so it never exceeds half (TD 1 s: 0, every request revalidated with S3).
 */
export function defaultPlaylistCacheTtlSeconds(targetDurationSeconds: number): number {
  return Math.floor(targetDurationSeconds / 2);
}

/**
 * What a pipeline's heartbeat may lag behind its last upload, besides the heartbeat interval: the marker's S3 event
 * delivery and run, the KeyValueStore write, and its propagation to the edge locations.
 */
export const heartbeatLatencyAllowanceMs = 3000;

/**
 * Edge mode, two or more pipelines: how old a pipeline's heartbeat (the S3 event time of an upload, in milliseconds)
 * may be for the pipeline to count as healthy: the threshold less the Last-Modified granularity. A heartbeat is never
 * newer than its pipeline's last upload, and a Last-Modified is at most one granule older than it; so when two
 * pipelines stall, one of them looks unhealthy before the other's playlists look stale, and there is no moment at
 * which both answer 404 (no total outage), however the heartbeats were coalesced or delayed.
 */
export function heartbeatFreshForMs(thresholdMs: number): number {
  return thresholdMs - lastModifiedGranularityMs;
}

/**
 * Edge mode, two or more pipelines: the least time between two heartbeats of one pipeline (one marker instance). A
 * running pipeline uploads some playlist at least every 1.5 x TD (RFC 8216 §6.2.1) and its heartbeat is written on the
 * first upload an interval after the previous one, so the heartbeat is at most interval + 1.5 x TD + latency old. The
 * interval is the largest whole second that keeps that within {@link heartbeatFreshForMs} (fewest writes), and at
 * least 1 s; where even 1 s does not fit (short target durations), a late heartbeat can delay a failover, never cause a 404.
 */
export function heartbeatIntervalMs(targetDurationSeconds: number, thresholdMs: number): number {
  const room = heartbeatFreshForMs(thresholdMs) - maximumUpdateIntervalTargetDurations * targetDurationSeconds * 1000 - heartbeatLatencyAllowanceMs;
  return Math.max(1000, Math.floor(room / 1000) * 1000);
}

/** What a playlist is, as far as the guard cares. */
export type PlaylistKind = 'multivariant' | 'ended' | 'live' | 'no-target-duration';

/**
 * Classifies playlist text without a full parse: multivariant playlists (any multivariant-only tag of
 * RFC 8216 §4.4.6: EXT-X-STREAM-INF, EXT-X-I-FRAME-STREAM-INF, EXT-X-MEDIA, EXT-X-SESSION-DATA, EXT-X-SESSION-KEY,
 * EXT-X-CONTENT-STEERING) and ended or VOD playlists (EXT-X-ENDLIST, PLAYLIST-TYPE:VOD) are never stale; a live
 * media playlist needs its EXT-X-TARGETDURATION for a threshold. Works on a playlist's first and last lines
 * joined, which is what the marker reads.
 */
export function classifyPlaylist(text: string): { kind: PlaylistKind; targetDurationSeconds?: number } {
  if (/^#EXT-X-(STREAM-INF|I-FRAME-STREAM-INF|MEDIA|SESSION-DATA|SESSION-KEY|CONTENT-STEERING):/m.test(text)) return { kind: 'multivariant' };
  if (/^#EXT-X-ENDLIST\s*$/m.test(text) || /^#EXT-X-PLAYLIST-TYPE:VOD\s*$/m.test(text)) return { kind: 'ended' };
  const targetDuration = /^#EXT-X-TARGETDURATION:(\d+)\s*$/m.exec(text);
  if (!targetDuration || Number(targetDuration[1]) <= 0) return { kind: 'no-target-duration' };
  return { kind: 'live', targetDurationSeconds: Number(targetDuration[1]) };
}
