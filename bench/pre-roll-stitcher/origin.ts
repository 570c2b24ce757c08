import * as http from 'http';
import { AddressInfo } from 'net';

/** One input shape of the benchmark: a content VOD, its renditions and its breaks (each break its own ad). */
export interface BenchShape {
  readonly name: string;
  /** What the shape stands for, for the report. */
  readonly description: string;
  readonly renditions: ReadonlyArray<{ readonly bandwidth: number; readonly resolution: string }>;
  readonly contentSegments: number;
  readonly adSegments: number;
  readonly segmentSeconds: number;
  /** Break positions, each with its own ad at `/ad<n>/master.m3u8`. */
  readonly breaks: ReadonlyArray<{ readonly positionMs: number; readonly adPath: string }>;
}

const ladder = [
  { bandwidth: 6_000_000, resolution: '1920x1080' },
  { bandwidth: 4_500_000, resolution: '1280x720' },
  { bandwidth: 3_000_000, resolution: '1280x720' },
  { bandwidth: 1_800_000, resolution: '960x540' },
  { bandwidth: 1_000_000, resolution: '640x360' },
  { bandwidth: 500_000, resolution: '416x234' },
];

const breaksAt = (positionsMs: number[]) => positionsMs.map((positionMs, ad) => ({ positionMs, adPath: `/ad${ad}/master.m3u8` }));

/** The benchmark's input shapes, by name (`--shape <name>`). */
export const benchShapes: Record<string, BenchShape> = {
  'long': {
    name: 'long',
    description: '2 h VOD, 2 s segments (3,600 x 6 renditions), 4 breaks (pre-roll + 3 mid-rolls), ads of 8 segments',
    renditions: ladder,
    contentSegments: 3600,
    adSegments: 8,
    segmentSeconds: 2,
    breaks: breaksAt([0, 30 * 60_000, 60 * 60_000, 90 * 60_000]),
  },
  'many-breaks': {
    name: 'many-breaks',
    description: '30 min VOD, 2 s segments (900 x 4 renditions), 10 breaks (pre-roll + 9 mid-rolls, 3 min apart), ads of 8 segments',
    renditions: ladder.slice(1, 5),
    contentSegments: 900,
    adSegments: 8,
    segmentSeconds: 2,
    breaks: breaksAt([0, ...Array.from({ length: 9 }, (_unused, index) => (index + 1) * 3 * 60_000)]),
  },
};

/** EXT-X-DISCONTINUITY tags a spliced media playlist of `shape` holds: one before a pre-roll, two around a mid-roll. */
export function expectedDiscontinuities(shape: BenchShape): number {
  return shape.breaks.reduce((count, adBreak) => count + (adBreak.positionMs === 0 ? 1 : 2), 0);
}

/** A running benchmark origin. */
export interface BenchOrigin {
  readonly url: string;
  readonly host: string;
  close(): Promise<void>;
}

/**
 * Serves the playlists of `shape` (generated once, held in memory) on 127.0.0.1, each response held back
 * `latencyMs` (a remote origin's round trip; 0 for loopback as it is).
 */
export async function startBenchOrigin(shape: BenchShape, latencyMs = 0): Promise<BenchOrigin> {
  const playlists = new Map<string, string>();
  const addAsset = (root: string, segments: number) => {
    playlists.set(`${root}/master.m3u8`, multivariant(shape));
    shape.renditions.forEach((_rendition, index) => playlists.set(`${root}/v${index}/index.m3u8`, mediaPlaylist(shape, segments)));
  };
  addAsset('/content', shape.contentSegments);
  shape.breaks.forEach((_adBreak, index) => addAsset(`/ad${index}`, shape.adSegments));

  const server = http.createServer((request, response) => {
    // `/fresh-<n>/...` serves the same playlists under a new URL, so a cache has never seen them
    const body = playlists.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/fresh-\d+/, ''));
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const answer = () => response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'content-length': Buffer.byteLength(body) }).end(body);
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    host,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function multivariant(shape: BenchShape): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  shape.renditions.forEach((rendition, index) => {
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${rendition.bandwidth},RESOLUTION=${rendition.resolution},CODECS="avc1.640028,mp4a.40.2"`, `v${index}/index.m3u8`);
  });
  return `${lines.join('\n')}\n`;
}

/** A VOD media playlist of `segments` TS segments of the shape's duration. */
export function mediaPlaylist(shape: BenchShape, segments: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${shape.segmentSeconds}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let index = 0; index < segments; index++) {
    lines.push(`#EXTINF:${shape.segmentSeconds.toFixed(6)},`, `seg_${String(index).padStart(5, '0')}.ts`);
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
