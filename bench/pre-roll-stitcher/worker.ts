import * as fs from 'fs';
import { performance } from 'perf_hooks';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import * as hlsParser from 'hls-parser';
import { benchInput, mediaPlaylist } from './origin';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/contract/playback-url';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';

/**
 * One measurement in a fresh process (bundled by esbuild, run by plain node so no compiler sits in
 * memory). Arguments: task, origin URL, iterations, result file. Writes `WorkerResult` JSON.
 */

/** What a worker reports. */
export interface WorkerResult {
  /** Milliseconds per measured operation. */
  readonly samples: number[];
  /** Peak resident set size of the process, MiB. */
  readonly peakRssMiB: number;
}

type Task = 'stitcher-first-request' | 'stitcher-cold' | 'stitcher-uncached' | 'stitcher-warm' | 'hls-splice' | 'floor' | 'module-init';

type Handler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

const [task, originUrl, iterationsText, resultFile, bundlePath] = process.argv.slice(2) as [Task, string, string, string, string];
const iterations = Number(iterationsText);

async function main(): Promise<void> {
  const samples = await measure();
  const result: WorkerResult = { samples, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

async function measure(): Promise<number[]> {
  switch (task) {
    case 'module-init': {
      const started = performance.now();
      loadBundle();
      return [performance.now() - started];
    }
    case 'stitcher-first-request': {
      // a cold start: the first request a fresh process serves (empty cache, nothing compiled yet)
      return [await timeRequest(loadBundle(), 0)];
    }
    case 'stitcher-cold': {
      // a cold instance's request: nothing of the payload is cached (every request names never-seen URLs)
      const handler = loadBundle();
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration, payloadAt(`/fresh-${iteration}`)));
      return samples;
    }
    case 'stitcher-uncached': {
      // stricter than cold: the cache is off, so even a playlist used twice in one request is fetched twice
      process.env[stitcherEnvironment.upstreamCacheTtlSeconds] = '0';
      const handler = loadBundle();
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration));
      return samples;
    }
    case 'stitcher-warm': {
      const handler = loadBundle();
      for (let iteration = 0; iteration < benchInput.renditions.length; iteration++) await timeRequest(handler, iteration); // fill the cache
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration));
      return samples;
    }
    case 'hls-splice':
      return measureHlsSplice();
    case 'floor': {
      const text = mediaPlaylist(benchInput.contentSegments);
      hlsParser.setOptions({ silent: true });
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) {
        const started = performance.now();
        hlsParser.stringify(hlsParser.parse(text));
        samples.push(performance.now() - started);
      }
      return samples;
    }
  }
}

function loadBundle(): Handler {
  delete require.cache[require.resolve(bundlePath)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(bundlePath) as { handler: Handler }).handler;
}

/** The encoded payload of the benchmark input, its URLs under `prefix`. */
function payloadAt(prefix: string): string {
  return PlaybackUrl.encodePayload({
    contentUri: `${originUrl}${prefix}/content/master.m3u8`,
    breaks: benchInput.breaks.map((adBreak) => ({ positionMs: adBreak.positionMs, adUri: `${originUrl}${prefix}${adBreak.adPath}` })),
  });
}

/** One media-playlist request through the handler, rotating over the renditions; fails loudly on a non-200. */
async function timeRequest(handler: Handler, iteration: number, encodedPayload = payloadAt('')): Promise<number> {
  const rendition = `v${iteration % benchInput.renditions.length}`;
  const event = {
    version: '2.0',
    rawPath: '/media.m3u8',
    rawQueryString: `payload=${encodedPayload}&r=${rendition}`,
    queryStringParameters: { payload: encodedPayload, r: rendition },
    headers: {},
    requestContext: { http: { method: 'GET', path: '/media.m3u8' } },
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEvent;
  const started = performance.now();
  const response = await handler(event) as { statusCode: number; body: string };
  const elapsed = performance.now() - started;
  if (response.statusCode !== 200 || (response.body.match(/#EXT-X-DISCONTINUITY/g) ?? []).length !== 7) {
    throw new Error(`stitcher answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
  }
  return elapsed;
}

/** What lambda-stitch does per media-playlist request with hls-splice: load everything, insert every ad, render. */
async function measureHlsSplice(): Promise<number[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const HLSSpliceVod = require('@eyevinn/hls-splice') as new (uri: string) => {
    load(): Promise<void>;
    insertAdAt(offsetMs: number, adUri: string): Promise<void>;
    getMediaManifest(bandwidth: number): string;
  };
  const samples: number[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const bandwidth = benchInput.renditions[iteration % benchInput.renditions.length].bandwidth;
    const started = performance.now();
    const vod = new HLSSpliceVod(`${originUrl}/content/master.m3u8`);
    await vod.load();
    for (const adBreak of [...benchInput.breaks].reverse()) await vod.insertAdAt(adBreak.positionMs, `${originUrl}${adBreak.adPath}`);
    const manifest = vod.getMediaManifest(bandwidth);
    samples.push(performance.now() - started);
    if (typeof manifest !== 'string' || !manifest.includes('#EXT-X-DISCONTINUITY')) throw new Error('hls-splice produced no stitched playlist');
  }
  return samples;
}

main().catch((error: Error) => {
  process.stderr.write(`${task} failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
