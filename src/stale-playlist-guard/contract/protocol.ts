/**
 * What the StalePlaylistGuard construct, its origin-mode function and its edge function share.
 * Kept free of aws-cdk-lib so the handler bundle stays small.
 */

/** Environment variables through which the construct configures the origin-mode function. */
export const guardEnvironment = {
  /** How many target durations without a new upload make a media playlist stale. */
  staleAfterTargetDurations: 'GUARD_STALE_AFTER_TARGET_DURATIONS',
  /** JSON array of `{ bucket, prefix }`: the pipelines, in order; a key maps to the same key in the others. */
  pipelines: 'GUARD_PIPELINES',
  /** `true` addresses S3 path-style (S3-compatible stores and the loopback S3 of the tests). */
  s3ForcePathStyle: 'GUARD_S3_FORCE_PATH_STYLE',
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
} as const;

/** Header the edge function adds to the 404 it answers for a stale playlist. */
export const stalePlaylistHeader = 'x-stale-playlist';
