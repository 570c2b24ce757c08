import { spawn } from 'child_process';
import * as path from 'path';
import { heapLimitMiB, stitcherFunctionDefaults, stitcherLimits, stitcherMemoryBudget } from '../../src/pre-roll-stitcher/contract/defaults';
import { LoopbackServer, startStaticServer } from '../harness/static-server';

/*
 * The worst accepted request must fit the function's memory. The shipped bundle runs in a child process
 * whose heap is limited as a 512 MiB function's is, on the worst accepted input of the default limits:
 * a full playlist cache, then a multivariant playlist with two variants and every ad at the playlist size
 * limit in the shape that parses largest, the same as a media playlist and as an asset list, one ad as large as
 * its share of the ad bytes lets it be, then the
 * longest stitched playlist a Lambda response can hold. It must answer every request, never die.
 */

const bundle = path.join(__dirname, '..', '..', 'assets', 'lambda-src', 'pre-roll-stitcher', 'stitch.lambda', 'index.js');
const segment = '#EXTINF:1,\na\n'; // 13 bytes: the shortest segment, the most objects per byte

function shortestPlaylist(bytes: number): string {
  const head = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n';
  const tail = '#EXT-X-ENDLIST\n';
  return head + segment.repeat(Math.floor((bytes - head.length - tail.length) / segment.length)) + tail;
}

function master(...uris: string[]): string {
  return `#EXTM3U\n${uris.map((uri) => `#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2"\n${uri}\n`).join('')}`;
}

interface ChildReport {
  readonly answers: Array<{ name: string; status: number; firstLine: string; length: number }>;
  readonly fills: number[];
  readonly peakHeapMiB: number;
  readonly maxRssMiB: number;
}

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly report?: ChildReport;
  readonly stderr: string;
}

function runChild(heapMiB: number, origin: string): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, path.join(__dirname, 'worst-case-child.js'), bundle, origin,
      String(stitcherLimits.maxUpstreamBytes.default), String(stitcherLimits.maxBreaks.default)], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      resolve({ code, signal, report: line.startsWith('{') ? JSON.parse(line) as ChildReport : undefined, stderr: stderr.slice(-2000) });
    });
  });
}

describe('memory of the worst accepted request', () => {
  let origin: LoopbackServer;
  const served: string[] = [];

  beforeAll(async () => {
    const playlists = new Map<string, string>([
      ['/big/master.m3u8', master('v0.m3u8', 'v1.m3u8')],
      ['/big/v0.m3u8', shortestPlaylist(stitcherLimits.maxUpstreamBytes.default)],
      ['/big/v1.m3u8', shortestPlaylist(stitcherLimits.maxUpstreamBytes.default)],
      ['/small-ad.m3u8', shortestPlaylist(200)],
      // an ad as large as its share lets it be: a multivariant playlist of half the share, one variant of the other half
      ['/share-ad/master.m3u8', master('v.m3u8').padEnd(stitcherLimits.maxUpstreamBytes.default / 2 - 1, '#') + '\n'],
      ['/share-ad/v.m3u8', shortestPlaylist(stitcherLimits.maxUpstreamBytes.default / 2)],
      ['/served/master.m3u8', master('v.m3u8')],
    ]);
    for (let i = 0; i < stitcherLimits.maxBreaks.default; i++) playlists.set(`/ad${i}.m3u8`, playlists.get('/big/v0.m3u8')!);
    for (let i = 0; i < 64; i++) {
      playlists.set(`/fill${i}/master.m3u8`, master('v.m3u8'));
      playlists.set(`/fill${i}/v.m3u8`, shortestPlaylist(64 * 1024));
    }
    origin = await startStaticServer({
      routes: [(request, response) => {
        const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
        const body = playlists.get(pathname);
        if (body === undefined) return false;
        served.push(pathname);
        response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(body);
        return true;
      }],
    });
    // the longest content whose stitched playlist still fits a Lambda response (its URIs are made absolute)
    const servedSegments = Math.floor(5_500_000 / `#EXTINF:1,\n${origin.origin}/served/a\n`.length);
    playlists.set('/served/v.m3u8', shortestPlaylist(servedSegments * segment.length + 200));
  });

  afterAll(async () => {
    await origin?.close();
  });

  test(`the default limits fit a ${stitcherFunctionDefaults.memoryMiB} MiB function, heap limited to ${heapLimitMiB(stitcherFunctionDefaults.memoryMiB)} MiB`, async () => {
    const budget = stitcherMemoryBudget({
      maxUpstreamBytes: stitcherLimits.maxUpstreamBytes.default,
      upstreamCacheBytes: stitcherLimits.upstreamCacheBytes.default,
    });
    expect(budget.minimumMemorySizeMiB).toBeLessThanOrEqual(stitcherFunctionDefaults.memoryMiB);

    const run = await runChild(heapLimitMiB(stitcherFunctionDefaults.memoryMiB), origin.origin);

    expect({ code: run.code, signal: run.signal, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const report = run.report!;
    expect(report.fills).toEqual(Array(64).fill(200));
    expect(report.answers.map(({ name, status }) => [name, status])).toEqual([
      ['multivariant: two largest variants validated, every ad the largest', 200],
      ['media: the largest content and every ad the largest', 502],
      ['media: the largest content and one ad at its whole share', 502],
      ['asset list: a pod of every ad, the largest', 200],
      ['media: the longest playlist a Lambda response holds, with small ads', 200],
    ]);
    expect(report.answers[1].firstLine).toMatch(/would be over \d+ bytes, more than the 6000000 bytes a Lambda function may answer/);
    expect(report.answers[2].firstLine).toMatch(/would be over \d+ bytes/);
    expect(served).toContain('/share-ad/v.m3u8'); // the ad at its whole share was loaded, not refused
    expect(report.answers[4].length).toBeGreaterThan(5_000_000);
    // eslint-disable-next-line no-console
    console.log(`worst case: peak heap sampled ${report.peakHeapMiB} MiB, peak RSS ${report.maxRssMiB} MiB; budget: ${budget.explanation}`);
  }, 300_000);
});
