import * as fs from 'fs';
import { performance } from 'perf_hooks';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import * as hlsParser from 'hls-parser';
import { benchShapes, expectedDiscontinuities, mediaPlaylist } from './origin';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/contract/playback-url';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';

/**
 * One measurement in a fresh process (bundled by esbuild, run by plain node so no compiler sits in
 * memory). Arguments: task, shape name, origin URL, iterations, result file, bundle, warm-up requests (served
 * first and not measured, so that a tool is measured with its code compiled; the fresh-process task has none).
 * Writes `WorkerResult` JSON.
 */

/** What a worker reports. */
export interface WorkerResult {
  /** Milliseconds per measured operation. */
  readonly samples: number[];
  /** CPU milliseconds (user + system) this process spent per measured operation, whatever else the machine runs. */
  readonly cpuSamples: number[];
  /** Peak resident set size of the process, MiB. */
  readonly peakRssMiB: number;
}

type Task = 'stitcher-first-request' | 'stitcher-cold' | 'stitcher-uncached' | 'stitcher-warm' | 'hls-splice' | 'floor' | 'module-init';

type Handler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

const [task, shapeName, originUrl, iterationsText, resultFile, bundlePath, warmUpText] = process.argv.slice(2) as
  [Task, string, string, string, string, string, string];
const iterations = Number(iterationsText);
const warmUp = Number(warmUpText ?? 0);
const shape = benchShapes[shapeName];

/** CPU milliseconds per operation, kept beside the wall-time samples by {@link timed}. */
const cpuSamples: number[] = [];

/** Runs one measured operation: its wall time is returned, its CPU time kept in `cpuSamples`. */
async function timed(operation: () => unknown): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await operation();
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  cpuSamples.push((cpu.user + cpu.system) / 1000);
  return elapsed;
}

async function main(): Promise<void> {
  const samples = await measure();
  const result: WorkerResult = { samples, cpuSamples, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

async function measure(): Promise<number[]> {
  switch (task) {
    case 'module-init':
      return [await timed(loadBundle)];
    case 'stitcher-first-request': {
      // a cold start: the first request a fresh process serves (empty cache, nothing compiled yet)
      return [await timeRequest(loadBundle(), 0)];
    }
    case 'stitcher-cold': {
      // a cold instance's request: nothing of the payload is cached (every request names never-seen URLs)
      const handler = loadBundle();
      for (let iteration = 0; iteration < warmUp; iteration++) await timeRequest(handler, iteration, payloadAt(`/fresh-${1_000_000 + iteration}`));
      cpuSamples.length = 0;
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration, payloadAt(`/fresh-${iteration}`)));
      return samples;
    }
    case 'stitcher-uncached': {
      // stricter than cold: the cache is off, so even a playlist used twice in one request is fetched twice
      process.env[stitcherEnvironment.upstreamCacheTtlSeconds] = '0';
      const handler = loadBundle();
      for (let iteration = 0; iteration < warmUp; iteration++) await timeRequest(handler, iteration);
      cpuSamples.length = 0;
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration));
      return samples;
    }
    case 'stitcher-warm': {
      const handler = loadBundle();
      for (let iteration = 0; iteration < shape.renditions.length; iteration++) await timeRequest(handler, iteration); // fill the cache
      cpuSamples.length = 0;
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timeRequest(handler, iteration));
      return samples;
    }
    case 'hls-splice':
      return measureHlsSplice();
    case 'floor': {
      const text = mediaPlaylist(shape, shape.contentSegments);
      hlsParser.setOptions({ silent: true });
      const samples: number[] = [];
      for (let iteration = 0; iteration < iterations; iteration++) samples.push(await timed(() => hlsParser.stringify(hlsParser.parse(text))));
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
    breaks: shape.breaks.map((adBreak) => ({ positionMs: adBreak.positionMs, adUri: `${originUrl}${prefix}${adBreak.adPath}` })),
  });
}

/** One media-playlist request through the handler, rotating over the renditions; fails loudly on a non-200. */
async function timeRequest(handler: Handler, iteration: number, encodedPayload = payloadAt('')): Promise<number> {
  const rendition = `v${iteration % shape.renditions.length}`;
  const event = {
    version: '2.0',
    rawPath: '/media.m3u8',
    rawQueryString: `payload=${encodedPayload}&r=${rendition}`,
    queryStringParameters: { payload: encodedPayload, r: rendition },
    headers: {},
    requestContext: { http: { method: 'GET', path: '/media.m3u8' } },
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEvent;
  let response = { statusCode: 0, body: '' };
  const elapsed = await timed(async () => {
    response = await handler(event) as { statusCode: number; body: string };
  });
  if (response.statusCode !== 200 || (response.body.match(/#EXT-X-DISCONTINUITY/g) ?? []).length !== expectedDiscontinuities(shape)) {
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
  for (let iteration = -warmUp; iteration < iterations; iteration++) {
    if (iteration === 0) cpuSamples.length = 0;
    const bandwidth = shape.renditions[(iteration + warmUp) % shape.renditions.length].bandwidth;
    let manifest: unknown;
    samples.push(await timed(async () => {
      const vod = new HLSSpliceVod(`${originUrl}/content/master.m3u8`);
      await vod.load();
      for (const adBreak of [...shape.breaks].reverse()) await vod.insertAdAt(adBreak.positionMs, `${originUrl}${adBreak.adPath}`);
      manifest = vod.getMediaManifest(bandwidth);
    }));
    if (typeof manifest !== 'string' || !manifest.includes('#EXT-X-DISCONTINUITY')) throw new Error('hls-splice produced no stitched playlist');
  }
  return samples.slice(warmUp);
}

if (!shape) throw new Error(`unknown shape ${shapeName}`);
main().catch((error: Error) => {
  process.stderr.write(`${task} failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
