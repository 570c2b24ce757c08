import * as hlsParser from 'hls-parser';
import { copyWith } from './copy';
import { writeMediaPlaylist } from './media-writer';
import { parsePlainMediaPlaylist } from './plain-media';
import { mediaPlaylistTextProblem } from './validate';

/** Multivariant (master) playlist: variants, renditions, session keys. */
export type MultivariantPlaylist = hlsParser.types.MasterPlaylist;
/** Multivariant playlist class, for building playlists in code. */
export const MultivariantPlaylist = hlsParser.types.MasterPlaylist;
/** Media playlist: segments of one rendition. */
export type MediaPlaylist = hlsParser.types.MediaPlaylist;
/** Media playlist class, for building playlists in code. */
export const MediaPlaylist = hlsParser.types.MediaPlaylist;
/** Media segment (EXTINF and the tags that apply to it). */
export type Segment = hlsParser.types.Segment;
/** Media segment class. */
export const Segment = hlsParser.types.Segment;
/** Partial segment (EXT-X-PART, or EXT-X-PRELOAD-HINT when `hint` is true). */
export type PartialSegment = hlsParser.types.PartialSegment;
/** Partial segment class. */
export const PartialSegment = hlsParser.types.PartialSegment;
/** Prefetch segment (EXT-X-PREFETCH). */
export type PrefetchSegment = hlsParser.types.PrefetchSegment;
/** Prefetch segment class. */
export const PrefetchSegment = hlsParser.types.PrefetchSegment;
/** Variant stream (EXT-X-STREAM-INF or EXT-X-I-FRAME-STREAM-INF). */
export type Variant = hlsParser.types.Variant;
/** Variant stream class. */
export const Variant = hlsParser.types.Variant;
/** Alternative rendition (EXT-X-MEDIA). */
export type Rendition = hlsParser.types.Rendition;
/** Alternative rendition class. */
export const Rendition = hlsParser.types.Rendition;
/** Encryption key (EXT-X-KEY or EXT-X-SESSION-KEY). */
export type Key = hlsParser.types.Key;
/** Encryption key class. */
export const Key = hlsParser.types.Key;
/** Media initialization section (EXT-X-MAP). */
export type MediaInitializationSection = hlsParser.types.MediaInitializationSection;
/** Media initialization section class. */
export const MediaInitializationSection = hlsParser.types.MediaInitializationSection;
/** Date range (EXT-X-DATERANGE). */
export type DateRange = hlsParser.types.DateRange;
/** Date range class. */
export const DateRange = hlsParser.types.DateRange;
/** Session data (EXT-X-SESSION-DATA). */
export type SessionData = hlsParser.types.SessionData;
/** Session data class. */
export const SessionData = hlsParser.types.SessionData;
/** Rendition report (EXT-X-RENDITION-REPORT). */
export type RenditionReport = hlsParser.types.RenditionReport;
/** Rendition report class. */
export const RenditionReport = hlsParser.types.RenditionReport;
/** Ad signalling marker of a segment (EXT-X-CUE-OUT, EXT-X-CUE-IN, or a raw tag). */
export type SpliceInfo = hlsParser.types.SpliceInfo;
/** Ad signalling marker class. */
export const SpliceInfo = hlsParser.types.SpliceInfo;
/** Byte range of a segment or map; `offset` is always explicit in the model. */
export type Byterange = hlsParser.types.Byterange;
/** Any HLS playlist. */
export type Playlist = MultivariantPlaylist | MediaPlaylist;

/** Options of {@link parsePlaylist}. */
export interface ParseOptions {
  /** Reject playlists that break RFC 8216 rules (default true); false keeps what can be read. */
  readonly strict?: boolean;
  /** Longest EXTINF accepted, in seconds (default: no bound); see {@link mediaPlaylistTextProblem}. */
  readonly maxSegmentDurationSeconds?: number;
}

/** Thrown when text is not a usable HLS playlist. */
export class HlsParseError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`invalid playlist: ${oneLine(reason)}`, options);
    this.name = 'HlsParseError';
  }
}

/** Parses an HLS playlist; throws {@link HlsParseError} on invalid input. */
export function parsePlaylist(text: string, options: ParseOptions = {}): Playlist {
  const strict = options.strict ?? true;
  // hls-parser would read any text as a media playlist when not strict, so the header is always required.
  if (!text.trimStart().startsWith('#EXTM3U')) {
    throw new HlsParseError('The EXTM3U tag MUST be the first line.');
  }
  // the common VOD shape in one pass: the same objects hls-parser builds leniently (strict checks need hls-parser)
  const plain = strict ? undefined : parsePlainMediaPlaylist(text, options.maxSegmentDurationSeconds);
  if (plain) return plain;
  // segment durations and URI lines are checked on the text: the parser reads EXTINF:NaN as 0 and fails obscurely on a URI without EXTINF
  const problem = mediaPlaylistTextProblem(text, options.maxSegmentDurationSeconds);
  if (problem) throw new HlsParseError(problem);
  let playlist: Playlist;
  try {
    playlist = withParserOptions({ strictMode: strict, silent: true }, () => hlsParser.parse(text));
  } catch (error) {
    throw new HlsParseError(reasonOf(error), { cause: error });
  }
  return isMediaPlaylist(playlist) ? withRepairedTail(playlist) : playlist;
}

/** Serializes a playlist to HLS text ending with a newline; media playlists in time linear in their length (see {@link writeMediaPlaylist}). */
export function serializePlaylist(p: Playlist): string {
  // Lenient mode: strict stringify rejects legal repeats such as two EXT-X-GAP segments.
  const text = isMediaPlaylist(p)
    ? writeMediaPlaylist(p)
    : withParserOptions({ strictMode: false, silent: true, allowClosedCaptionsNone: false }, () => hlsParser.stringify(p));
  // RFC 8216 lines end with a line terminator; hls-parser leaves the last one out.
  return `${text}\n`;
}

/**
 * A lower bound of the length of {@link serializePlaylist}'s text, computed without serializing: every
 * segment is at least its URI and an EXTINF line, every variant its URI and an EXT-X-STREAM-INF line.
 */
export function serializedLengthAtLeast(p: Playlist): number {
  let length = 0;
  if (isMediaPlaylist(p)) {
    for (const segment of p.segments) length += (segment.uri?.length ?? 0) + '#EXTINF:0,\n\n'.length;
  } else {
    for (const variant of p.variants) length += variant.uri.length + '#EXT-X-STREAM-INF:BANDWIDTH=0\n\n'.length;
  }
  return length;
}

/** True when the playlist is a multivariant (master) playlist. */
export function isMultivariantPlaylist(p: Playlist): p is MultivariantPlaylist {
  return p.isMasterPlaylist;
}

/** True when the playlist is a media playlist. */
export function isMediaPlaylist(p: Playlist): p is MediaPlaylist {
  return !p.isMasterPlaylist;
}

type ParserOptions = ReturnType<typeof hlsParser.getOptions>;

// hls-parser keeps its options in module state shared by every caller, so they are set for one call only.
function withParserOptions<T>(options: ParserOptions, body: () => T): T {
  const previous = hlsParser.getOptions();
  hlsParser.setOptions(options);
  try {
    return body();
  } finally {
    // setOptions merges, so every key is written back, including the ones that were unset.
    hlsParser.setOptions({
      strictMode: previous.strictMode,
      silent: previous.silent,
      allowClosedCaptionsNone: previous.allowClosedCaptionsNone,
    });
  }
}

// hls-parser 0.16 adds a trailing URI-less segment (LL-HLS parts, tags after the last URI) with its EXT-X-MAP in `key`.
function withRepairedTail(p: MediaPlaylist): MediaPlaylist {
  const tail = p.segments.at(-1);
  if (!tail || tail.uri) {
    return p;
  }
  if (tail.parts.length === 0 && tail.duration === undefined) {
    // tags after the last URI without an EXTINF (a closing #EXT-X-CUE-IN) start no segment
    return copyWith(p, { segments: p.segments.slice(0, -1) });
  }
  if (tail.key instanceof Key) {
    return p;
  }
  const previous = p.segments.at(-2);
  const repaired = copyWith(tail, {
    key: previous?.key,
    map: tail.map ?? previous?.map,
    discontinuitySequence: (previous?.discontinuitySequence ?? p.discontinuitySequenceBase ?? 0) + (tail.discontinuity ? 1 : 0),
  });
  return copyWith(p, { segments: [...p.segments.slice(0, -1), repaired] });
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Invalid Playlist : /, '');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
