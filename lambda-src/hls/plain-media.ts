import * as hlsParser from 'hls-parser';
import { isDecimal } from './validate';

/*
 * The playlists packagers write for VOD (MediaLive, MediaConvert, ffmpeg, Shaka, Bento4, Wowza) are mostly a
 * short header and then EXTINF + URI pairs: thousands of them. This reads that shape in one pass into the same
 * objects hls-parser's lenient parse builds, for a fraction of its time; anything else returns undefined and
 * goes to hls-parser. test/hls/plain-media.property.test.ts proves both give equal objects.
 */

// header integers as hls-parser reads them (parseFloat) only when that is the plain value
const INTEGER = /^\d{1,15}$/;
// titles whose bytes hls-parser's decodeURIComponent(escape(title)) gives back unchanged: printable ASCII
const ASCII_TITLE = /^[\x20-\x7e]*$/;
// EXT-X-MAP with a URI and nothing else; a quoted string holds no quote (RFC 8216 4.2)
const MAP_URI_ONLY = /^#EXT-X-MAP:URI="([^"]*)"$/;

// Every segment of these playlists has no markers and no parts: one frozen empty list each, not two arrays per segment.
const noMarkers = Object.freeze([]) as unknown as hlsParser.types.SpliceInfo[];
const noParts = Object.freeze([]) as unknown as hlsParser.types.PartialSegment[];

const integerTags = {
  '#EXT-X-VERSION:': 'version',
  '#EXT-X-TARGETDURATION:': 'targetDuration',
  '#EXT-X-MEDIA-SEQUENCE:': 'mediaSequenceBase',
  '#EXT-X-DISCONTINUITY-SEQUENCE:': 'discontinuitySequenceBase',
} as const;

/**
 * The media playlist of `text` when it uses only EXTINF (an ASCII title at most), EXT-X-DISCONTINUITY, EXT-X-MAP
 * with a URI alone, segment URIs, comments and, before the first segment, each of EXT-X-VERSION,
 * EXT-X-TARGETDURATION, EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE, EXT-X-PLAYLIST-TYPE and
 * EXT-X-INDEPENDENT-SEGMENTS at most once, with EXT-X-ENDLIST last; every EXTINF a decimal no longer than
 * `maxSegmentDurationSeconds` followed by one URI. Undefined for anything else (the caller parses it in full).
 */
export function parsePlainMediaPlaylist(
  text: string, maxSegmentDurationSeconds = Number.POSITIVE_INFINITY,
): hlsParser.types.MediaPlaylist | undefined {
  const playlist = new hlsParser.types.MediaPlaylist();
  const seen = new Set<string>();
  let headerOpen = true;
  let started = false;
  let ended = false;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let currentMap: hlsParser.types.MediaInitializationSection | null = null;
  // the segment being read: its tags come before its URI
  let duration: number | undefined;
  let title = '';
  let discontinuity = false;
  let map: hlsParser.types.MediaInitializationSection | undefined;

  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end).trim(); // as hls-parser reads lines
    start = end + 1;
    if (line === '') continue;
    if (!started) {
      if (line !== '#EXTM3U') return undefined;
      started = true;
      continue;
    }
    if (ended) return undefined;
    if (line.charCodeAt(0) !== 35 /* # */) {
      if (duration === undefined) return undefined;
      if (discontinuity) discontinuitySequence++;
      if (map) currentMap = map;
      const segment = new hlsParser.types.Segment({
        uri: line,
        duration,
        title,
        discontinuity: discontinuity || undefined,
        mediaSequenceNumber: mediaSequence++,
        discontinuitySequence,
        markers: noMarkers,
        parts: noParts,
      });
      // null where none applies, as hls-parser leaves them (its types say undefined)
      (segment as { key: hlsParser.types.Key | null }).key = null;
      (segment as { map: hlsParser.types.MediaInitializationSection | null }).map = currentMap;
      playlist.segments.push(segment);
      duration = undefined;
      discontinuity = false;
      map = undefined;
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    if (line.startsWith('#EXTINF:')) {
      if (duration !== undefined) return undefined;
      const comma = line.indexOf(',');
      if (comma === -1) return undefined;
      const value = line.slice('#EXTINF:'.length, comma);
      title = comma === line.length - 1 ? '' : line.slice(comma + 1);
      if (!isDecimal(value) || (title !== '' && !ASCII_TITLE.test(title))) return undefined;
      duration = Number(value);
      if (duration > maxSegmentDurationSeconds) return undefined;
      headerOpen = false;
    } else if (line === '#EXT-X-DISCONTINUITY') {
      if (discontinuity) return undefined;
      discontinuity = true;
      headerOpen = false;
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = MAP_URI_ONLY.exec(line)?.[1];
      if (uri === undefined || map) return undefined;
      map = new hlsParser.types.MediaInitializationSection({ uri });
      headerOpen = false;
    } else if (line === '#EXT-X-ENDLIST') {
      if (duration !== undefined || discontinuity || map) return undefined;
      playlist.endlist = true;
      ended = true;
    } else if (!headerOpen || !readHeaderTag(line, playlist, seen)) {
      return undefined;
    } else {
      mediaSequence = playlist.mediaSequenceBase ?? 0;
      discontinuitySequence = playlist.discontinuitySequenceBase ?? 0;
    }
  }
  // a playlist hls-parser would read with tags after its last URI, or that is empty, is left to it
  if (!started || duration !== undefined || discontinuity || map || playlist.segments.length === 0) return undefined;
  playlist.source = text;
  return playlist;
}

/** Reads one header tag into the playlist; false when it is not one this reader knows, or repeats one. */
function readHeaderTag(line: string, playlist: hlsParser.types.MediaPlaylist, seen: Set<string>): boolean {
  const colon = line.indexOf(':');
  const name = colon === -1 ? line : line.slice(0, colon + 1);
  if (seen.has(name)) return false;
  seen.add(name);
  if (name === '#EXT-X-INDEPENDENT-SEGMENTS') {
    playlist.independentSegments = true;
    return true;
  }
  const value = line.slice(colon + 1);
  if (name === '#EXT-X-PLAYLIST-TYPE:') {
    if (value !== 'VOD' && value !== 'EVENT') return false;
    playlist.playlistType = value;
    return true;
  }
  const field = integerTags[name as keyof typeof integerTags];
  if (field === undefined || !INTEGER.test(value)) return false;
  playlist[field] = Number(value);
  return true;
}
