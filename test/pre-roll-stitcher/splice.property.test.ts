import * as fc from 'fast-check';
import { MediaPlaylist, parsePlaylist, serializePlaylist, validateMediaPlaylist } from '../../lambda-src/hls';
import { AdPod, spliceMediaPlaylist } from '../../lambda-src/pre-roll-stitcher/splice';

/*
 * Property tests of the splice over generated playlists. Durations are generated as whole microseconds
 * (0.5 s to 10 s, so at most 6 decimals) and the expected insertion boundaries are computed with integer
 * arithmetic, independently of the floating-point sums of the code under test.
 */

type Container = 'ts' | 'fmp4';

/** How one rendition writes its segments; renditions of one content share durations, not this. */
interface RenditionStyle {
  readonly keyed: boolean;
  readonly keyIv: boolean;
  readonly byteranges: boolean;
  readonly fixedDecimals: boolean;
}

interface ContentSpec {
  readonly container: Container;
  readonly durationsUs: number[];
  readonly renditions: RenditionStyle[];
}

/** Where a break goes: -1, a generated segment boundary (index taken modulo the boundary count) or a fraction of the range. */
type BreakPosition = { kind: 'post-roll' } | { kind: 'boundary'; index: number } | { kind: 'anywhere'; fraction: number };

interface BreakSpec {
  readonly position: BreakPosition;
  readonly ad: number;
}

interface Scenario {
  readonly content: ContentSpec;
  readonly adDurationsUs: number[][];
  readonly adStyle: RenditionStyle;
  readonly breaks: BreakSpec[];
  readonly dateRanges: boolean;
}

/** A generated segment: its URI and byte range as serialized, its duration, key URI and initialization section. */
interface GeneratedSegment {
  readonly id: string;
  readonly durationUs: number;
  readonly key?: string;
  readonly map?: string;
}

interface GeneratedPlaylist {
  readonly text: string;
  readonly segments: GeneratedSegment[];
}

const durationUs = fc.integer({ min: 500_000, max: 10_000_000 });

const renditionStyle: fc.Arbitrary<RenditionStyle> = fc.record({
  keyed: fc.boolean(),
  keyIv: fc.boolean(),
  byteranges: fc.boolean(),
  fixedDecimals: fc.boolean(),
});

const segmentCount = fc.integer({ min: 1, max: 400 });

const contentSpec: fc.Arbitrary<ContentSpec> = fc.record({
  container: fc.constantFrom<Container>('ts', 'fmp4'),
  durationsUs: segmentCount.chain((count) => fc.array(durationUs, { minLength: count, maxLength: count })),
  renditions: fc.array(renditionStyle, { minLength: 1, maxLength: 3 }),
});

const breakPosition: fc.Arbitrary<BreakPosition> = fc.oneof(
  { arbitrary: fc.constant<BreakPosition>({ kind: 'post-roll' }), weight: 1 },
  { arbitrary: fc.constant<BreakPosition>({ kind: 'boundary', index: 0 }), weight: 1 },
  { arbitrary: fc.nat().map((index): BreakPosition => ({ kind: 'boundary', index })), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((millionths): BreakPosition => ({ kind: 'anywhere', fraction: millionths / 1_000_000 })), weight: 3 },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  content: contentSpec,
  adDurationsUs: fc.array(fc.array(durationUs, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
  adStyle: renditionStyle,
  breaks: fc.array(fc.record({ position: breakPosition, ad: fc.nat({ max: 3 }) }), { minLength: 0, maxLength: 6 }),
  dateRanges: fc.boolean(),
});

function formatDuration(us: number, fixedDecimals: boolean): string {
  return fixedDecimals ? (us / 1_000_000).toFixed(6) : String(us / 1_000_000);
}

/** Writes a VOD media playlist; `base` is the absolute folder of its files. */
function writePlaylist(base: string, container: Container, durations: number[], style: RenditionStyle): GeneratedPlaylist {
  const extension = container === 'fmp4' ? 'm4s' : 'ts';
  const lines = ['#EXTM3U'];
  const version = Math.max(3, style.byteranges ? 4 : 0, container === 'fmp4' ? 6 : 0);
  lines.push(`#EXT-X-VERSION:${version}`);
  lines.push(`#EXT-X-TARGETDURATION:${Math.max(...durations.map((us) => Math.round(us / 1_000_000)))}`);
  lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  const key = style.keyed ? `${base}/key.bin` : undefined;
  if (key) {
    lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${key}"${style.keyIv ? ',IV=0x000102030405060708090A0B0C0D0E0F' : ''}`);
  }
  let offset = 0;
  let map: string | undefined;
  if (container === 'fmp4') {
    map = style.byteranges ? `${base}/main.mp4|720@0` : `${base}/init.mp4`;
    lines.push(style.byteranges ? `#EXT-X-MAP:URI="${base}/main.mp4",BYTERANGE="720@0"` : `#EXT-X-MAP:URI="${base}/init.mp4"`);
    offset = 720;
  }
  const segments = durations.map((us, index): GeneratedSegment => {
    lines.push(`#EXTINF:${formatDuration(us, style.fixedDecimals)},`);
    if (style.byteranges) {
      const length = 10_000 + index * 7;
      const uri = `${base}/main.${container === 'fmp4' ? 'mp4' : 'ts'}`;
      lines.push(`#EXT-X-BYTERANGE:${length}@${offset}`, uri);
      const id = `${uri}|${length}@${offset}`;
      offset += length;
      return { id, durationUs: us, key, map };
    }
    const uri = `${base}/seg${index}.${extension}`;
    lines.push(uri);
    return { id: uri, durationUs: us, key, map };
  });
  lines.push('#EXT-X-ENDLIST', '');
  return { text: lines.join('\n'), segments };
}

interface Rendition {
  readonly content: GeneratedPlaylist;
  readonly ads: GeneratedPlaylist[];
}

function renditionsOf(s: Scenario): Rendition[] {
  return s.content.renditions.map((style, r) => ({
    content: writePlaylist(`https://origin.example/vod/r${r}`, s.content.container, s.content.durationsUs, style),
    ads: s.adDurationsUs.map((durations, ad) => writePlaylist(`https://ads.example/ad${ad}/r${r}`, s.content.container, durations, s.adStyle)),
  }));
}

/** Segment start times (µs) of the content, then its end. */
function boundariesUs(durations: number[]): number[] {
  const boundaries = [0];
  for (const us of durations) boundaries.push(boundaries[boundaries.length - 1] + us);
  return boundaries;
}

/**
 * Break positions in milliseconds. A position within 1 ms of a boundary (but not on it) is moved onto it,
 * so that the expected boundary never depends on floating-point tolerance.
 */
function positionsMs(s: Scenario): number[] {
  const boundaries = boundariesUs(s.content.durationsUs);
  const end = boundaries[boundaries.length - 1];
  return s.breaks.map(({ position }) => {
    if (position.kind === 'post-roll') return -1;
    if (position.kind === 'boundary') return boundaries[position.index % boundaries.length] / 1000;
    const us = Math.round(position.fraction * (end + 10_000_000));
    const near = boundaries.find((boundary) => Math.abs(boundary - us) < 1000);
    return (near ?? us) / 1000;
  });
}

/** Expected content index of a pod: the first segment start at or after the position, the segment count for -1 or at/after the end. */
function expectedIndex(durations: number[], positionMs: number): number {
  if (positionMs === -1) return durations.length;
  const positionUs = Math.round(positionMs * 1000);
  const starts = boundariesUs(durations).slice(0, -1);
  const index = starts.findIndex((start) => start >= positionUs);
  return index === -1 ? durations.length : index;
}

/** The pods of a scenario as the stitcher builds them: sorted (post-rolls last, stable), equal positions grouped. */
function podsOf(s: Scenario, ads: MediaPlaylist[]): Array<{ positionMs: number; ads: number[] }> {
  const positions = positionsMs(s);
  const sorted = s.breaks
    .map((adBreak, order) => ({ positionMs: positions[order], ad: adBreak.ad % ads.length, order }))
    .sort((x, y) => (x.positionMs === -1 ? Infinity : x.positionMs) - (y.positionMs === -1 ? Infinity : y.positionMs) || x.order - y.order);
  const pods: Array<{ positionMs: number; ads: number[] }> = [];
  for (const adBreak of sorted) {
    const last = pods[pods.length - 1];
    if (last && last.positionMs === adBreak.positionMs) last.ads.push(adBreak.ad);
    else pods.push({ positionMs: adBreak.positionMs, ads: [adBreak.ad] });
  }
  return pods;
}

interface Stitched {
  readonly playlist: MediaPlaylist;
  readonly text: string;
  /** Ads in play order at every content index 0..n (index n is the post-roll). */
  readonly adsAt: number[][];
  readonly rendition: Rendition;
}

function stitch(s: Scenario, rendition: Rendition): Stitched {
  const content = parsePlaylist(rendition.content.text) as MediaPlaylist;
  const ads = rendition.ads.map((ad) => parsePlaylist(ad.text) as MediaPlaylist);
  const pods = podsOf(s, ads);
  const adPods: AdPod[] = pods.map((pod) => ({
    positionMs: pod.positionMs,
    ads: pod.ads.map((ad) => ({ adUri: `https://ads.example/ad${ad}/master.m3u8`, playlist: ads[ad] })),
  }));
  const { playlist } = spliceMediaPlaylist(content, adPods, { dateRanges: s.dateRanges });
  const adsAt: number[][] = s.content.durationsUs.map(() => []).concat([[]]);
  for (const pod of pods) adsAt[expectedIndex(s.content.durationsUs, pod.positionMs)].push(...pod.ads);
  return { playlist, text: serializePlaylist(playlist), adsAt, rendition };
}

/** What the serialized text says about each segment, read line by line without hls-parser. */
interface TextSegment {
  readonly id: string;
  readonly extinf: number;
  readonly discontinuity: boolean;
  /** URI of the EXT-X-KEY in force; `?` when an encrypted span crossed a discontinuity without declaring it again. */
  readonly key?: string;
  /** EXT-X-MAP in force (`uri|range`); `?` after a discontinuity that did not declare it again. */
  readonly map?: string;
}

interface ReadText {
  readonly segments: TextSegment[];
  readonly targetDuration: number;
  readonly cueOuts: number;
  readonly cueIns: number;
}

function readText(text: string): ReadText {
  const segments: TextSegment[] = [];
  let extinf = NaN;
  let byterange: string | undefined;
  let discontinuity = false;
  let targetDuration = NaN;
  let cueOuts = 0;
  let cueIns = 0;
  let key: string | undefined;
  let map: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) {targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));} else if (line.startsWith('#EXTINF:')) {extinf = Number(line.slice('#EXTINF:'.length).split(',')[0]);} else if (line.startsWith('#EXT-X-BYTERANGE:')) {byterange = line.slice('#EXT-X-BYTERANGE:'.length);} else if (line === '#EXT-X-DISCONTINUITY') {
      // Every span between discontinuities declares its own key and initialization section.
      discontinuity = true;
      key = key === undefined ? undefined : '?';
      map = map === undefined ? undefined : '?';
    } else if (line.startsWith('#EXT-X-KEY:')) {key = /METHOD=NONE/.test(line) ? undefined : /URI="([^"]*)"/.exec(line)?.[1];} else if (line.startsWith('#EXT-X-MAP:')) {
      const range = /BYTERANGE="([^"]*)"/.exec(line)?.[1];
      map = `${/URI="([^"]*)"/.exec(line)?.[1]}${range ? `|${range}` : ''}`;
    } else if (line.startsWith('#EXT-X-CUE-OUT:')) {cueOuts++;} else if (line === '#EXT-X-CUE-IN') {cueIns++;} else if (line !== '' && !line.startsWith('#')) {
      segments.push({ id: byterange ? `${line}|${byterange}` : line, extinf, discontinuity, key, map });
      extinf = NaN;
      byterange = undefined;
      discontinuity = false;
    }
  }
  return { segments, targetDuration, cueOuts, cueIns };
}

/** The segments the output must list, in order: each boundary's ads, then the content segment. */
function expectedSegments(stitched: Stitched): GeneratedSegment[] {
  const { rendition, adsAt } = stitched;
  return adsAt.flatMap((ads, index) => [
    ...ads.flatMap((ad) => rendition.ads[ad].segments),
    ...(index < rendition.content.segments.length ? [rendition.content.segments[index]] : []),
  ]);
}

/** Segment indexes expected to carry EXT-X-DISCONTINUITY: every ad's first segment but at the very start, and the content after a pod. */
function expectedDiscontinuities(s: Scenario, adsAt: number[][]): number[] {
  const indexes: number[] = [];
  let output = 0;
  adsAt.forEach((ads, index) => {
    for (const ad of ads) {
      if (output > 0) indexes.push(output);
      output += s.adDurationsUs[ad].length;
    }
    if (index < s.content.durationsUs.length) {
      if (ads.length > 0) indexes.push(output);
      output++;
    }
  });
  return indexes;
}

const runs = { numRuns: 200 };

describe('spliceMediaPlaylist over generated playlists', () => {
  test('the serialized output parses in strict mode and validateMediaPlaylist reports no problem', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      expect(validateMediaPlaylist(stitched.playlist)).toEqual([]);
      const reparsed = parsePlaylist(stitched.text, { strict: true }) as MediaPlaylist;
      expect(validateMediaPlaylist(reparsed)).toEqual([]);
      expect(reparsed.segments).toHaveLength(stitched.playlist.segments.length);
    }), runs);
  });

  test('the total duration is the content duration plus the duration of every inserted ad', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      const seconds = (us: number[]) => us.reduce((sum, value) => sum + value, 0) / 1_000_000;
      const expected = seconds(s.content.durationsUs) + stitched.adsAt.flat().reduce((sum, ad) => sum + seconds(s.adDurationsUs[ad]), 0);
      const fromText = readText(stitched.text).segments.reduce((sum, segment) => sum + segment.extinf, 0);
      const fromModel = stitched.playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
      expect(Math.abs(fromText - expected)).toBeLessThan(1e-6);
      expect(Math.abs(fromModel - expected)).toBeLessThan(1e-6);
    }), runs);
  });

  test('every content segment appears once and in order, every ad segment once per insertion, and nothing else', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      const actual = readText(stitched.text).segments;
      const expected = expectedSegments(stitched);
      expect(actual.map((segment) => segment.id)).toEqual(expected.map((segment) => segment.id));
      expect(actual.map((segment) => Math.round(segment.extinf * 1_000_000))).toEqual(expected.map((segment) => segment.durationUs));
    }), runs);
  });

  test('every segment plays with its own EXT-X-KEY and EXT-X-MAP, declared again after each discontinuity', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      const actual = readText(stitched.text).segments;
      expect(actual.map(({ key, map }) => ({ key, map }))).toEqual(expectedSegments(stitched).map(({ key, map }) => ({ key, map })));
    }), runs);
  });

  test('TARGETDURATION is the largest rounded EXTINF of the output', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      const read = readText(stitched.text);
      const longest = Math.max(...read.segments.map((segment) => Math.round(segment.extinf)));
      expect(read.targetDuration).toBe(longest);
      expect(stitched.playlist.targetDuration).toBe(longest);
    }), runs);
  });

  test('renditions sharing a segmentation get EXT-X-DISCONTINUITY at the same segment indexes', () => {
    fc.assert(fc.property(scenario, (s) => {
      const discontinuities = renditionsOf(s).map((rendition) => readText(stitch(s, rendition).text).segments
        .flatMap((segment, index) => segment.discontinuity ? [index] : []));
      for (const other of discontinuities.slice(1)) expect(other).toEqual(discontinuities[0]);
      expect(discontinuities[0]).toEqual(expectedDiscontinuities(s, stitch(s, renditionsOf(s)[0]).adsAt));
    }), runs);
  });

  test('there is one EXT-X-CUE-OUT, and one closing EXT-X-CUE-IN, per distinct insertion boundary with at least one ad', () => {
    fc.assert(fc.property(scenario, (s) => {
      const stitched = stitch(s, renditionsOf(s)[0]);
      const read = readText(stitched.text);
      const boundaries = stitched.adsAt.filter((ads) => ads.length > 0).length;
      expect(read.cueOuts).toBe(boundaries);
      expect(read.cueIns).toBe(boundaries);
    }), runs);
  });
});
