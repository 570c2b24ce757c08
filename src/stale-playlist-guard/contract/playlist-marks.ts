/**
 * Which playlists the guard never flags, and how the marker, the edge function and the origin-mode check
 * agree on it: one S3 user metadata field, one list of values, one normalisation.
 *
 * The edge function cannot read a body, so the marker (an S3 ObjectCreated function) reads each new playlist
 * and writes `x-amz-meta-playlist-type: multivariant` or `ended` on multivariant and ended playlists. An encoder
 * may also set `vod` or `event` itself. Values are compared trimmed and lower-case. The names and values are in
 * protocol.ts; this holds the rule.
 */
import { exemptPlaylistTypes, playlistMarks } from './protocol';

/** A value the marker writes. */
export type PlaylistMark = typeof playlistMarks[keyof typeof playlistMarks];

/** The normalisation applied before comparing (the edge function applies the same two steps). */
export function normalizePlaylistType(value: string): string {
  return value.trim().toLowerCase();
}

/** True when the metadata value exempts a playlist from the guard. */
export function isExemptPlaylistType(value: string | undefined): boolean {
  return value !== undefined && exemptPlaylistTypes.includes(normalizePlaylistType(value));
}

/** True for a playlist key: `.m3u8` in any letter case (S3 keys and CloudFront paths are case-sensitive). */
export function isPlaylistKey(key: string): boolean {
  return /\.m3u8$/i.test(key);
}

/** Every letter case of `.m3u8`: S3 notification filters and IAM resources are case-sensitive, so each gets its own. */
export const playlistKeySuffixes: readonly string[] = ['.m3u8', '.M3U8', '.M3u8', '.m3U8'];

/**
 * The CloudFront path-pattern suffix of playlist behaviors. Path patterns are case-sensitive, but `?` matches exactly
 * one character, so one behavior takes every letter case of `.m3u8`; the edge function passes anything else it sees
 * (a `.x3y8` key) untouched.
 */
export const playlistPathPatternSuffix = '.?3?8';

/** How much of a playlist the marker reads: the first bytes, and the last ones when the object is larger. */
export const markerReadLimits = {
  /** Multivariant tags and EXT-X-PLAYLIST-TYPE sit in the first lines. */
  headBytes: 16 * 1024,
  /** EXT-X-ENDLIST is the last tag of an ended playlist. */
  tailBytes: 1024,
} as const;
