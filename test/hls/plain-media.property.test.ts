import * as fc from 'fast-check';
import * as hlsParser from 'hls-parser';
import { withHlsParserLenient } from './hls-parser-lenient';
import { mediaPlaylistTextProblem, parsePlaylist } from '../../lambda-src/hls';
import { parsePlainMediaPlaylist } from '../../lambda-src/hls/plain-media';

/*
 * The one-pass reader of plain VOD playlists must build exactly what hls-parser's lenient parse builds, and
 * hand everything else to it. Playlists are generated from the shape it reads, with the variations real
 * packagers write (CRLF, blank lines, comments, titles, fixed decimals, fMP4) and lines it must not read.
 */

function hlsParserLenient(text: string): unknown {
  return withHlsParserLenient(() => hlsParser.parse(text));
}

const duration = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 20 }).map(String), weight: 30 },
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 1, max: 6 }))
    .map(([whole, fraction, digits]) => `${whole}.${String(fraction).padStart(6, '0').slice(0, digits)}`),
  fc.constantFrom('.5', '4.', '86400'),
  fc.constantFrom('.5', '4.', '86400', '86401', '1e3', '-1', 'NaN', '', ' 4', '0x10'),
);
const title = fc.oneof({ arbitrary: fc.constant(''), weight: 80 }, fc.constant('no-comma'), fc.string({ maxLength: 12 }), fc.constantFrom('a,b', 'ünï', 'live %41', ' spaced '));
const uri = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 99_999 }).map((n) => `video_${n}.m4s`), weight: 60 },
  fc.integer({ min: 0, max: 99_999 }).map((n) => `seg_${String(n).padStart(5, '0')}.ts`),
  fc.constantFrom('chunk.m4s?t=1', 'https://cdn.example.com/a/b.ts', '../up/seg.aac', 'seg 1.ts', '#not-a-uri'),
);
/** Lines the reader must leave to hls-parser (or that it reads the same as hls-parser does). */
const otherLine = fc.constantFrom(
  '# a comment', '#EXT-X-KEY:METHOD=AES-128,URI="k.key"', '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z', '#EXT-X-CUE-OUT:30',
  '#EXT-X-CUE-IN', '#EXT-X-BYTERANGE:100@0', '#EXT-X-GAP', '#EXT-X-MAP:URI="init.mp4",BYTERANGE="10@0"', '#EXT-X-MAP:URI="init.mp4"',
  '#EXT-X-DISCONTINUITY', '#EXT-X-ENDLIST', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXTINF:4,', '#EXT-UNKNOWN:1', 'orphan.ts',
  '#EXT-X-STREAM-INF:BANDWIDTH=1', '',
);
const header = fc.tuple(
  fc.option(fc.constantFrom('#EXT-X-VERSION:3', '#EXT-X-VERSION:6', '#EXT-X-VERSION:x')),
  fc.option(fc.constantFrom('#EXT-X-TARGETDURATION:6', '#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:6.5')),
  fc.option(fc.constantFrom('#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-MEDIA-SEQUENCE:417')),
  fc.option(fc.constantFrom('#EXT-X-DISCONTINUITY-SEQUENCE:0', '#EXT-X-DISCONTINUITY-SEQUENCE:3')),
  fc.option(fc.constantFrom('#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:LIVE')),
  fc.option(fc.constant('#EXT-X-INDEPENDENT-SEGMENTS')),
  fc.option(fc.constant('## written by a packager')),
).map((lines) => lines.filter((line) => line !== null))
  .chain((lines) => fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }));
const segment = fc.record({
  discontinuity: fc.boolean(),
  map: fc.option(fc.constantFrom('init.mp4', 'init-1.mp4'), { freq: 4 }),
  duration,
  title,
  uri,
  tagsAfterExtinf: fc.boolean(),
}).map((s) => {
  const extinf = s.title === 'no-comma' ? `#EXTINF:${s.duration}` : `#EXTINF:${s.duration},${s.title}`;
  const tags = [...(s.discontinuity ? ['#EXT-X-DISCONTINUITY'] : []), ...(s.map ? [`#EXT-X-MAP:URI="${s.map}"`] : [])];
  return [...(s.tagsAfterExtinf ? [extinf, ...tags] : [...tags, extinf]), s.uri];
});

const playlistText = fc.record({
  header,
  segments: fc.array(segment, { maxLength: 8 }),
  endlist: fc.boolean(),
  others: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, fc.array(fc.tuple(fc.nat(), otherLine), { minLength: 1, maxLength: 2 })),
  crlf: fc.boolean(),
  padding: fc.boolean(),
}).map(({ header: headerLines, segments, endlist, others, crlf, padding }) => {
  const lines = ['#EXTM3U', ...headerLines, ...segments.flat(), ...(endlist ? ['#EXT-X-ENDLIST'] : [])];
  for (const [at, line] of others) lines.splice(1 + (at % lines.length), 0, line);
  return lines.map((line) => (padding ? ` ${line} ` : line)).join(crlf ? '\r\n' : '\n') + '\n';
});

describe('parsePlainMediaPlaylist', () => {
  test('reads plain playlists exactly as hls-parser does, and leaves every other one to it', () => {
    let read = 0;
    let runs = 0;
    fc.assert(fc.property(playlistText, fc.constantFrom(Number.POSITIVE_INFINITY, 86_400), (text, maxSeconds) => {
      runs++;
      const plain = parsePlainMediaPlaylist(text, maxSeconds);
      if (plain === undefined) return;
      read++;
      expect(plain).toStrictEqual(hlsParserLenient(text));
      // never accepts what the full path refuses
      expect(mediaPlaylistTextProblem(text, maxSeconds)).toBeUndefined();
    }), { numRuns: 3000 });
    // the generator must exercise both paths, or the equality above proves nothing
    expect(read / runs).toBeGreaterThan(0.1);
    expect(read / runs).toBeLessThan(0.9);
  });

  test.each([
    ['ffmpeg', '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.000000,\nout0.ts\n#EXTINF:1.480000,\nout1.ts\n#EXT-X-ENDLIST\n'],
    ['MediaConvert fMP4', '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n'
      + '#EXT-X-MAP:URI="video_1080p_init.mp4"\n#EXTINF:6,\nvideo_1080p_00001.mp4\n#EXTINF:6,\nvideo_1080p_00002.mp4\n#EXT-X-ENDLIST\n'],
    ['Wowza, CRLF', '#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:10\r\n#EXT-X-MEDIA-SEQUENCE:0\r\n#EXTINF:10.0,\r\nmedia_w1_0.ts\r\n#EXT-X-DISCONTINUITY\r\n#EXTINF:9.8,\r\nmedia_w1_1.ts\r\n#EXT-X-ENDLIST\r\n'],
  ])('reads a %s playlist in one pass, equal to hls-parser', (_name, text) => {
    const plain = parsePlainMediaPlaylist(text);
    expect(plain).toBeDefined();
    expect(plain).toStrictEqual(hlsParserLenient(text));
    expect(parsePlaylist(text, { strict: false })).toStrictEqual(plain);
  });

  test.each([
    ['an encrypted playlist', '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:4,\na.ts\n'],
    ['a URI without EXTINF', '#EXTM3U\n#EXT-X-TARGETDURATION:4\na.ts\n'],
    ['EXTINF:NaN', '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:NaN,\na.ts\n'],
    ['an EXTINF longer than allowed', '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:90000,\na.ts\n'],
    ['tags after the last URI', '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXT-X-CUE-IN\n'],
    ['a multivariant playlist', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n'],
    ['no segments', '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-ENDLIST\n'],
  ])('leaves %s to hls-parser', (_name, text) => {
    expect(parsePlainMediaPlaylist(text, 86_400)).toBeUndefined();
  });

  test('parsePlaylist refuses what the one-pass reader leaves, with the reason a person can act on', () => {
    expect(() => parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:NaN,\na.ts\n', { strict: false })).toThrow(/EXTINF NaN/);
  });
});
