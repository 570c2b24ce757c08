/**
 * What the StalePlaylistGuard construct, its origin-mode function and its edge function share.
 * Kept free of aws-cdk-lib so the handler bundle stays small.
 */

/** Environment variables through which the construct configures the origin-mode function. */
export const guardEnvironment = {
  /** How many target durations without a new upload make a media playlist stale. */
  staleAfterTargetDurations: 'GUARD_STALE_AFTER_TARGET_DURATIONS',
  /**
   * JSON array of `{ bucket, prefix }`: the pipelines, in order, each with the key prefix it owns as the construct
   * normalised it (pipeline-prefix.ts: a folder ends in `/`, a key prefix is kept as written); a key maps to the same
   * relative key in the others.
   */
  pipelines: 'GUARD_PIPELINES',
  /** `true` addresses S3 path-style (S3-compatible stores and the loopback S3 of the tests). */
  s3ForcePathStyle: 'GUARD_S3_FORCE_PATH_STYLE',
  /** Edge mode with two or more pipelines: ARN of the CloudFront KeyValueStore the marker publishes heartbeats to. */
  heartbeatStoreArn: 'GUARD_HEARTBEAT_STORE_ARN',
  /** Edge mode: least time, in milliseconds, between two heartbeats of one pipeline from one marker instance. */
  heartbeatIntervalMs: 'GUARD_HEARTBEAT_INTERVAL_MS',
} as const;

/** CloudWatch namespace and metric names of the guard's functions (EMF). */
export const guardMetrics = {
  namespace: 'CdkOttConstructs/StalePlaylistGuard',
  /** Origin mode: live media playlists found stale. */
  staleDetections: 'StaleDetections',
  /** Origin mode: stale playlists deleted. */
  deletions: 'Deletions',
  /** Origin mode: playlists looked at and kept. */
  skips: 'Skips',
  /** Edge mode (marker): multivariant and ended playlists marked, by `mark`. */
  marked: 'PlaylistsMarked',
  /** Edge mode (marker): pipeline heartbeats written to the KeyValueStore. */
  heartbeats: 'HeartbeatsWritten',
  /** Edge mode (marker): heartbeats the KeyValueStore refused or could not take (retried on the next upload). */
  heartbeatFailures: 'HeartbeatFailures',
} as const;

/**
 * The KeyValueStore key under which the marker publishes when pipeline `index` (its place in the configuration)
 * last uploaded a playlist, as milliseconds since the epoch in decimal. The edge function reads the same keys.
 */
export function pipelineHeartbeatKey(index: number): string {
  return `pipeline-${index}`;
}

/** Header the edge function adds to the 404 it answers for a stale playlist. */
export const stalePlaylistHeader = 'x-stale-playlist';

/** S3 user metadata name (as the SDK's `Metadata` map and an `x-amz-meta-` header carry it) that marks a playlist. */
export const playlistTypeMetadataName = 'playlist-type';

/** The same field as an HTTP response header, lower-case as CloudFront Functions see it. */
export const playlistTypeMetadataHeader = `x-amz-meta-${playlistTypeMetadataName}`;

/** The values the marker writes. */
export const playlistMarks = {
  /** EXT-X-STREAM-INF and friends: a multivariant playlist, written once and never updated. */
  multivariant: 'multivariant',
  /** EXT-X-ENDLIST or EXT-X-PLAYLIST-TYPE:VOD: nothing will be added. */
  ended: 'ended',
} as const;

/**
 * Values of {@link playlistTypeMetadataHeader} that exempt a playlist, in both modes, compared trimmed and
 * lower-case: the marker's, and `vod`/`event` set by an encoder on its final playlists.
 */
export const exemptPlaylistTypes: readonly string[] = [playlistMarks.multivariant, playlistMarks.ended, 'vod', 'event'];

/** Defaults of the construct that its handlers also rely on. */
export const guardDefaults = {
  /** How many target durations without an update make a live media playlist stale, unless short TDs need more. */
  staleAfterTargetDurations: 3,
} as const;
