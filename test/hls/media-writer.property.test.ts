import * as fc from 'fast-check';
import * as hlsParser from 'hls-parser';
import { withHlsParserLenient } from './hls-parser-lenient';
import { Key, MediaInitializationSection, MediaPlaylist, parsePlaylist, Segment, serializePlaylist } from '../../lambda-src/hls';
import { copyWith } from '../../lambda-src/hls/copy';
import { writeMediaPlaylist } from '../../lambda-src/hls/media-writer';

/*
 * The media playlist writer must write what hls-parser's lenient stringify writes, with our two rules on top
 * (keys and maps declared again after a discontinuity, METHOD=NONE after encrypted segments), here applied to
 * hls-parser's output the way the project did before it had its own writer. Playlists come from generated text
 * with every segment tag hls-parser knows, parsed by hls-parser, then with keys dropped as a splice drops them.
 */

/** The reference: hls-parser's stringify, the METHOD=NONE rule before it and the redeclaration rule as its segment processor. */
function reference(p: MediaPlaylist): string {
  let encrypted = false;
  const segments = p.segments.map((segment) => {
    if (segment.key) {
      encrypted = segment.key.method !== 'NONE';
      return segment;
    }
    if (!encrypted) return segment;
    encrypted = false;
    return copyWith(segment, { key: new Key({ method: 'NONE' }) });
  });
  const redeclare = (lines: string[], start: number, end: number, segment: Segment) => {
    if (!segment.discontinuity) return;
    const emitted = lines.slice(start, end + 1);
    const missing: string[] = [];
    if (segment.key && segment.key.method !== 'NONE' && !emitted.some((line) => line.startsWith('#EXT-X-KEY:'))) missing.push(oldKeyLine(segment.key));
    if (segment.map && !emitted.some((line) => line.startsWith('#EXT-X-MAP:'))) missing.push(oldMapLine(segment.map));
    if (missing.length > 0) lines.splice(start + 1, 0, ...missing); // right after #EXT-X-DISCONTINUITY
  };
  return withHlsParserLenient(() => hlsParser.stringify(copyWith(p, { segments }), { segmentProcessor: redeclare }));
}

/** The key line the project wrote before it had its own writer. */
function oldKeyLine(key: Key): string {
  const attributes = [`METHOD=${key.method}`];
  if (key.uri) attributes.push(`URI="${key.uri}"`);
  if (key.iv) attributes.push(`IV=0x${Buffer.from(key.iv as unknown as Uint8Array).toString('hex').toUpperCase()}`);
  if (key.format) attributes.push(`KEYFORMAT="${key.format}"`);
  if (key.formatVersion) attributes.push(`KEYFORMATVERSIONS="${key.formatVersion}"`);
  return `#EXT-X-KEY:${attributes.join(',')}`;
}

/** The map line the project wrote before it had its own writer. */
function oldMapLine(map: MediaInitializationSection): string {
  return `#EXT-X-MAP:URI="${map.uri}"${map.byterange ? `,BYTERANGE="${map.byterange.length}@${map.byterange.offset ?? 0}"` : ''}`;
}

/** hls-parser's own reading, so that values the project refuses to parse (EXTINF:1e-7) are written too. */
function hlsParserLenient(text: string): MediaPlaylist {
  return withHlsParserLenient(() => hlsParser.parse(text) as MediaPlaylist);
}

const segmentTag = fc.constantFrom(
  '#EXT-X-DISCONTINUITY', '#EXT-X-GAP', '#EXT-X-KEY:METHOD=AES-128,URI="k1.key"', '#EXT-X-KEY:METHOD=AES-128,URI="k2.key",IV=0x00000000000000000000000000000001',
  '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"', '#EXT-X-KEY:METHOD=NONE',
  '#EXT-X-MAP:URI="init.mp4"', '#EXT-X-MAP:URI="init2.mp4",BYTERANGE="800@0"', '#EXT-X-BYTERANGE:1000@0',
  '#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:00.000Z', '#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:02.5+01:00',
  '#EXT-X-DATERANGE:ID="ad-1",START-DATE="2026-12-01T10:00:00.000Z",DURATION=30,X-AD-ID="abc",SCTE35-OUT=0xFC30',
  '#EXT-X-DATERANGE:ID="ad-2",CLASS="com.apple.hls.interstitial",START-DATE="2026-12-01T10:00:00Z",CUE="PRE",END-ON-NEXT=YES,X-N=4',
  '#EXT-X-CUE-OUT:30', '#EXT-X-CUE-OUT:DURATION=15.5', '#EXT-X-CUE-IN', '#EXT-X-CUE-OUT-CONT:ElapsedTime=5,Duration=30',
  '#EXT-OATCLS-SCTE35:/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAA', '#EXT-X-ASSET:CAID=0x0000000020FB6501',
);
const duration = fc.oneof(
  fc.integer({ min: 0, max: 10 }).map(String),
  fc.constantFrom('2.000', '5.005', '4.004000', '0.1', '3.33333333333', '6.', '1e-7'),
);
const title = fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, fc.constantFrom('hello', 'a,b', 'spaced  title', '%41'));
const segment = fc.record({
  tags: fc.array(segmentTag, { maxLength: 4 }),
  duration,
  title,
  uri: fc.integer({ min: 0, max: 9 }).map((n) => `seg${n}.ts`),
}).map((s) => [...s.tags, `#EXTINF:${s.duration},${s.title}`, s.uri]);
const header = fc.subarray([
  '#EXT-X-VERSION:2', '#EXT-X-TARGETDURATION:10', '#EXT-X-MEDIA-SEQUENCE:7', '#EXT-X-DISCONTINUITY-SEQUENCE:2', '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-START:TIME-OFFSET=10.25,PRECISE=YES', '#EXT-X-I-FRAMES-ONLY',
]);
const playlistText = fc.record({
  header, segments: fc.array(segment, { minLength: 1, maxLength: 10 }), endlist: fc.boolean(), trailer: fc.array(segmentTag, { maxLength: 2 }),
}).map(({ header: headerLines, segments, endlist, trailer }) => ['#EXTM3U', ...headerLines, ...segments.flat(), ...trailer, ...(endlist ? ['#EXT-X-ENDLIST'] : [])].join('\n'));

describe('writeMediaPlaylist', () => {
  test('writes what hls-parser writes, with keys and maps declared again after discontinuities and METHOD=NONE after encryption', () => {
    fc.assert(fc.property(playlistText, fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), (text, dropKey) => {
      const parsed = hlsParserLenient(text);
      // as a splice leaves them: some segments without a key (an unencrypted ad between encrypted content)
      const playlist = copyWith(parsed, { segments: parsed.segments.map((s, index) => (dropKey[index % 10] ? copyWith(s, { key: undefined }) : s)) });
      expect(writeMediaPlaylist(playlist)).toBe(reference(playlist));
      expect(serializePlaylist(playlist)).toBe(`${reference(playlist)}\n`);
    }), { numRuns: 1500 });
  });

  test('a segment after a discontinuity gets the key and the map of the span before it declared again', () => {
    const text = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI="k.key"\n#EXT-X-MAP:URI="init.mp4"\n'
      + '#EXTINF:4,\na.m4s\n#EXT-X-DISCONTINUITY\n#EXTINF:4,\nb.m4s\n#EXT-X-ENDLIST';
    expect(writeMediaPlaylist(parsePlaylist(text) as MediaPlaylist).split('\n').slice(5)).toEqual([
      '#EXTINF:4,', 'a.m4s', '#EXT-X-DISCONTINUITY', '#EXT-X-KEY:METHOD=AES-128,URI="k.key"', '#EXT-X-MAP:URI="init.mp4"', '#EXTINF:4,', 'b.m4s', '#EXT-X-ENDLIST',
    ]);
  });

  test('a VOD with a date on each of its 60,000 segments (4.4 MB) is written with one line per tag', () => {
    // hls-parser's stringify searched every line written before each EXT-X-PROGRAM-DATE-TIME: minutes for this playlist
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
    const start = Date.UTC(2026, 11, 1);
    for (let index = 0; index < 60_000; index++) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(start + index * 2000).toISOString()}`, '#EXTINF:2.000,', `s${index}.ts`);
    }
    lines.push('#EXT-X-ENDLIST');
    const written = writeMediaPlaylist(parsePlaylist(lines.join('\n'), { strict: false }) as MediaPlaylist);
    expect(written === lines.join('\n').replace(/#EXTINF:2\.000,/g, '#EXTINF:2,')).toBe(true); // durations are written as short as they are
  }, 60_000);
});
