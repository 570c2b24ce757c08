/**
 * What the StalePlaylistGuard construct, its origin-mode function and its edge function share.
 * Kept free of aws-cdk-lib so the handler bundle stays small.
 */

/** Environment variables through which the construct configures the origin-mode function. */
export const guardEnvironment = {
  /** How many target durations without a new upload make a media playlist stale. */
  staleAfterTargetDurations: 'GUARD_STALE_AFTER_TARGET_DURATIONS',
  /** Comma-separated multivariant playlist file names, never deleted. */
  multivariantPlaylistNames: 'GUARD_MULTIVARIANT_PLAYLIST_NAMES',
  /** JSON array of `{ bucket, prefix }`: the pipelines, in order; a key maps to the same key in the others. */
  pipelines: 'GUARD_PIPELINES',
  /** `true` addresses S3 path-style (S3-compatible stores and the loopback S3 of the tests). */
  s3ForcePathStyle: 'GUARD_S3_FORCE_PATH_STYLE',
} as const;

/** CloudWatch namespace and metric names of the origin-mode function (EMF). */
export const guardMetrics = {
  namespace: 'CdkOttConstructs/StalePlaylistGuard',
  staleDetections: 'StaleDetections',
  deletions: 'Deletions',
  skips: 'Skips',
} as const;

/** S3 user metadata (`x-amz-meta-playlist-type`) that exempts a playlist from the guard: `vod` or `event`. */
export const playlistTypeMetadataHeader = 'x-amz-meta-playlist-type';

/** Header the edge function adds to the 404 it answers for a stale playlist. */
export const stalePlaylistHeader = 'x-stale-playlist';

/** Values of {@link playlistTypeMetadataHeader} (compared case-insensitively) that exempt a playlist, in both modes. */
export const exemptPlaylistTypes: readonly string[] = ['vod', 'event'];

/** Defaults of the construct that its handlers and CloudFront Function also rely on. */
export const guardDefaults = {
  /** How many target durations without an update make a live media playlist stale. */
  staleAfterTargetDurations: 3,
  /** File names of multivariant playlists, never treated as stale. */
  multivariantPlaylistNames: ['master.m3u8'] as readonly string[],
} as const;
