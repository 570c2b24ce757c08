// The public API of cdk-ott-constructs: every construct, its props, enums and factory classes.
export * from './pre-roll-stitcher/pre-roll-stitcher';
export * from './pre-roll-stitcher/contract/playback-url';
export * from './stale-playlist-guard/stale-playlist-guard';
export * from './live-ott-pipeline/live-ott-pipeline';
export * from './live-ott-pipeline/live-input';
export * from './live-ott-pipeline/encoding-profile';
export * from './live-ott-pipeline/packaging';
export * from './shared/distribution-settings';
export * from './prefetch-session-initializer/prefetch-session-initializer';
export * from './prefetch-session-initializer/playback-configuration';
export * from './prefetch-session-initializer/prefetch-schedules';
export * from './prefetch-session-initializer/announced-breaks';
export { ContentSource } from './prefetch-session-initializer/content-source';
export type { AnnouncedBreakDetail } from './prefetch-session-initializer/contract/announced-break';
export * from './time-shifted-viewing/time-shifted-viewing';
export * from './time-shifted-viewing/channel-cache-behaviors';
