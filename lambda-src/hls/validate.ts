import type { Key, MediaPlaylist, MultivariantPlaylist, Segment } from './playlist';

/** One RFC 8216 rule a playlist breaks. */
export interface PlaylistProblem {
  /** Stable rule id, e.g. `extinf-exceeds-target-duration`. */
  readonly rule: string;
  /** Human-readable detail naming the offending item and values. */
  readonly message: string;
}

/** Lists the RFC 8216 problems of a media playlist (empty when valid). */
export function validateMediaPlaylist(p: MediaPlaylist): PlaylistProblem[] {
  const problems: PlaylistProblem[] = [];
  const targetDuration = p.targetDuration;
  if (!(targetDuration > 0)) {
    problems.push({ rule: 'missing-target-duration', message: `EXT-X-TARGETDURATION is ${targetDuration}, expected a positive integer` });
  }
  p.segments.forEach((segment, index) => {
    if (isPartialTail(p, index)) {
      return;
    }
    if (!segment.uri) {
      problems.push({ rule: 'segment-without-uri', message: `segment ${index} has no URI` });
    }
    const duration = segment.duration;
    if (!isValidDuration(duration)) {
      problems.push({ rule: 'invalid-segment-duration', message: `segment ${index} has EXTINF duration ${duration}` });
    } else if (targetDuration > 0 && Math.round(duration) > targetDuration) {
      problems.push({
        rule: 'extinf-exceeds-target-duration',
        message: `segment ${index} EXTINF ${duration} rounds to ${Math.round(duration)}, above EXT-X-TARGETDURATION ${targetDuration}`,
      });
    }
  });
  const declaredVersion = p.version ?? 1;
  const neededVersion = requiredVersion(p);
  if (declaredVersion < neededVersion) {
    problems.push({ rule: 'version-too-low', message: `EXT-X-VERSION is ${declaredVersion} but the tags used need ${neededVersion}` });
  }
  const hasDateRange = p.dateRanges.length > 0 || p.segments.some((segment) => segment.dateRange);
  if (hasDateRange && !p.segments.some((segment) => segment.programDateTime)) {
    problems.push({ rule: 'daterange-without-program-date-time', message: 'EXT-X-DATERANGE is used but no EXT-X-PROGRAM-DATE-TIME is present' });
  }
  return problems;
}

/** Lists the RFC 8216 problems of a multivariant playlist (empty when valid). */
export function validateMultivariantPlaylist(p: MultivariantPlaylist): PlaylistProblem[] {
  const problems: PlaylistProblem[] = [];
  p.variants.forEach((variant, index) => {
    if (!(typeof variant.bandwidth === 'number' && variant.bandwidth > 0)) {
      problems.push({ rule: 'variant-without-bandwidth', message: `variant ${index} (${variant.uri}) has no BANDWIDTH` });
    }
  });
  for (const { type, groupId, uri } of undeclaredGroupReferences(p.source ?? '')) {
    problems.push({
      rule: 'undeclared-rendition-group',
      message: `variant ${uri} refers to ${type} group "${groupId}" that no EXT-X-MEDIA declares`,
    });
  }
  return problems;
}

/** Lowest EXT-X-VERSION that covers every tag and attribute the media playlist uses. */
export function requiredVersion(p: MediaPlaylist): number {
  // one pass over the segments: this runs on every stitched response
  let version = p.isIFrame ? 4 : 1;
  const needs = (atLeast: number) => {
    if (atLeast > version) version = atLeast;
  };
  const keyNeeds = (key: Key | null | undefined) => {
    if (key?.iv) needs(2);
    if (key?.format || key?.formatVersion) needs(5);
  };
  for (const segment of p.segments) {
    keyNeeds(segment.key);
    if (isValidDuration(segment.duration) && !Number.isInteger(segment.duration)) needs(3);
    if (segment.byterange) needs(4);
    if (segment.map) needs(p.isIFrame ? 5 : 6);
    if (segment.gap) needs(8);
  }
  for (const segment of p.prefetchSegments) keyNeeds(segment.key);
  if (p.skip > 0) needs(9);
  return version;
}

/** EXT-X-TARGETDURATION for these segments: the longest EXTINF rounded to the nearest integer, at least 1. */
export function targetDurationFor(segments: ReadonlyArray<Pick<Segment, 'duration'>>): number {
  let longest = 1;
  for (const segment of segments) {
    if (isValidDuration(segment.duration)) longest = Math.max(longest, Math.round(segment.duration));
  }
  return longest;
}

/** RFC 8216 4.2 decimal-floating-point or decimal-integer: digits and at most one dot, at least one digit, no sign or exponent. */
export function isDecimal(text: string): boolean {
  let digits = 0;
  let dots = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
    else if (code === 46 && dots === 0) dots++;
    else return false;
  }
  return digits > 0;
}

/**
 * The first reason the text of a media playlist cannot be stitched, read line by line before parsing
 * (the parser would read `EXTINF:NaN` as 0 and fail on a URI line without EXTINF with its own
 * internals): every EXTINF must be a non-negative decimal no longer than `maxSegmentDurationSeconds`,
 * and every segment URI line must follow one. Undefined when there is none, and for multivariant playlists.
 */
export function mediaPlaylistTextProblem(text: string, maxSegmentDurationSeconds = Number.POSITIVE_INFINITY): string | undefined {
  let segment = 0;
  let durationDeclared = false;
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    if (line.charCodeAt(0) !== 35 /* # */) {
      if (!durationDeclared) return `segment ${segment} (${shorten(line)}) has no EXTINF; RFC 8216 4.3.2.1 requires one before every media segment URI`;
      durationDeclared = false;
      segment++;
    } else if (line.startsWith('#EXTINF:')) { // the most frequent tag first: this runs over every line of every playlist
      const comma = line.indexOf(',');
      const value = line.slice('#EXTINF:'.length, comma === -1 ? line.length : comma).trim();
      if (!isDecimal(value)) {
        return `segment ${segment} has EXTINF ${shorten(value) || '(empty)'}; RFC 8216 4.3.2.1 requires a non-negative decimal number of seconds`;
      }
      if (Number(value) > maxSegmentDurationSeconds) {
        return `segment ${segment} has EXTINF ${shorten(value)}, longer than the ${maxSegmentDurationSeconds} s the stitcher accepts`;
      }
      durationDeclared = true;
    } else if (line.startsWith('#EXT-X-STREAM-INF') || line.startsWith('#EXT-X-I-FRAME-STREAM-INF') || line.startsWith('#EXT-X-MEDIA:')) {
      return undefined;
    }
  }
  return undefined;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isValidDuration(duration: unknown): duration is number {
  return typeof duration === 'number' && Number.isFinite(duration) && duration >= 0;
}

// A live LL-HLS playlist ends with a segment that so far has only parts and no URI: that is not a problem.
function isPartialTail(p: MediaPlaylist, index: number): boolean {
  const segment = p.segments[index];
  return index === p.segments.length - 1 && !segment.uri && segment.parts.length > 0;
}

const GROUP_TYPES = ['AUDIO', 'VIDEO', 'SUBTITLES'] as const;

interface GroupReference {
  readonly type: typeof GROUP_TYPES[number];
  readonly groupId: string;
  readonly uri: string;
}

// hls-parser drops group ids that no EXT-X-MEDIA declares from its model, so they are only visible in the parsed text.
function undeclaredGroupReferences(source: string): GroupReference[] {
  const lines = source.split(/\r?\n/).map((line) => line.trim());
  const declared = new Set<string>();
  const references: GroupReference[] = [];
  lines.forEach((line, index) => {
    const [tag, attributeList] = splitTag(line);
    const attributes = parseAttributes(attributeList);
    if (tag === '#EXT-X-MEDIA') {
      declared.add(`${attributes.TYPE}/${attributes['GROUP-ID']}`);
    } else if (tag === '#EXT-X-STREAM-INF' || tag === '#EXT-X-I-FRAME-STREAM-INF') {
      const uri = attributes.URI ?? lines.slice(index + 1).find((next) => next && !next.startsWith('#')) ?? '';
      for (const type of GROUP_TYPES) {
        const groupId = attributes[type];
        if (groupId !== undefined) {
          references.push({ type, groupId, uri });
        }
      }
    }
  });
  return references.filter(({ type, groupId }) => !declared.has(`${type}/${groupId}`));
}

function splitTag(line: string): [string, string] {
  const colon = line.indexOf(':');
  return colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1)];
}

function parseAttributes(attributeList: string): Record<string, string | undefined> {
  const attributes: Record<string, string | undefined> = {};
  for (const [, name, value] of attributeList.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes[name] = value.replace(/^"(.*)"$/, '$1');
  }
  return attributes;
}
