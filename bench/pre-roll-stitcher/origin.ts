import * as http from 'http';
import { AddressInfo } from 'net';

/** The benchmark's input: a 2 h VOD with 2 s segments in 6 renditions and 4 ads, served from loopback. */
export const benchInput = {
  renditions: [
    { bandwidth: 6_000_000, resolution: '1920x1080' },
    { bandwidth: 4_500_000, resolution: '1280x720' },
    { bandwidth: 3_000_000, resolution: '1280x720' },
    { bandwidth: 1_800_000, resolution: '960x540' },
    { bandwidth: 1_000_000, resolution: '640x360' },
    { bandwidth: 500_000, resolution: '416x234' },
  ],
  contentSegments: 3600,
  adSegments: 8,
  segmentSeconds: 2,
  /** Pre-roll and three mid-rolls, each its own ad. */
  breaks: [0, 30 * 60_000, 60 * 60_000, 90 * 60_000].map((positionMs, ad) => ({ positionMs, adPath: `/ad${ad}/master.m3u8` })),
};

/** A running benchmark origin. */
export interface BenchOrigin {
  readonly url: string;
  readonly host: string;
  close(): Promise<void>;
}

/** Serves the benchmark's playlists (generated once, held in memory) on 127.0.0.1. */
export async function startBenchOrigin(): Promise<BenchOrigin> {
  const playlists = new Map<string, string>();
  const addAsset = (root: string, segments: number) => {
    playlists.set(`${root}/master.m3u8`, multivariant());
    benchInput.renditions.forEach((_rendition, index) => playlists.set(`${root}/v${index}/index.m3u8`, mediaPlaylist(segments)));
  };
  addAsset('/content', benchInput.contentSegments);
  benchInput.breaks.forEach((_adBreak, index) => addAsset(`/ad${index}`, benchInput.adSegments));

  const server = http.createServer((request, response) => {
    // `/fresh-<n>/...` serves the same playlists under a new URL, so a cache has never seen them
    const body = playlists.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/fresh-\d+/, ''));
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'content-length': Buffer.byteLength(body) }).end(body);
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

function multivariant(): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  benchInput.renditions.forEach((rendition, index) => {
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${rendition.bandwidth},RESOLUTION=${rendition.resolution},CODECS="avc1.640028,mp4a.40.2"`, `v${index}/index.m3u8`);
  });
  return `${lines.join('\n')}\n`;
}

/** A VOD media playlist of `segments` 2 s TS segments. */
export function mediaPlaylist(segments: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${benchInput.segmentSeconds}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let index = 0; index < segments; index++) {
    lines.push(`#EXTINF:${benchInput.segmentSeconds.toFixed(6)},`, `seg_${String(index).padStart(5, '0')}.ts`);
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
