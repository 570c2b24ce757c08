import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { benchInput, startBenchOrigin } from './origin';
import type { WorkerResult } from './worker';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';

/**
 * PreRollStitcher benchmark, side by side with @eyevinn/hls-splice in the same run: per stitched
 * media-playlist response for a 2 h VOD (3,600 segments x 6 renditions) with 4 ads, served from
 * loopback. Every measurement runs in its own plain-node process. Run with `npx projen bench`.
 */

const repo = path.resolve(__dirname, '..', '..');
const bundle = path.join(repo, 'assets', 'lambda-src', 'pre-roll-stitcher', 'stitch.lambda', 'index.js');
const iterations = { cold: 60, uncached: 40, warm: 400, splice: 40, floor: 200, freshProcesses: 15 };

async function main(): Promise<void> {
  if (!fs.existsSync(bundle)) throw new Error(`missing ${path.relative(repo, bundle)}: run 'npx projen bundle' first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stitch-bench-'));
  const worker = path.join(work, 'worker.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: worker,
    external: ['@eyevinn/hls-splice'],
    logLevel: 'error',
  });
  const origin = await startBenchOrigin();
  try {
    const env = {
      ...process.env,
      NODE_PATH: path.join(repo, 'node_modules'),
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_SERVICE_NAME: 'pre-roll-stitcher-bench',
      [stitcherEnvironment.allowedOrigins]: origin.host,
      [stitcherEnvironment.allowHttp]: 'true',
      [stitcherEnvironment.maxUpstreamBytes]: String(8 * 1024 * 1024),
    };
    const run = async (task: string, count: number): Promise<WorkerResult> => {
      const resultFile = path.join(work, `${task}-${Date.now()}.json`);
      const child = spawn(process.execPath, [worker, task, origin.url, String(count), resultFile, bundle], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (exitCode !== 0) throw new Error(`${task} worker failed (exit ${exitCode})`);
      return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as WorkerResult;
    };
    const moduleInit: number[] = [];
    const firstRequests: WorkerResult[] = [];
    for (let attempt = 0; attempt < iterations.freshProcesses; attempt++) {
      moduleInit.push((await run('module-init', 1)).samples[0]);
      firstRequests.push(await run('stitcher-first-request', 1));
    }
    const results: Results = {
      floor: await run('floor', iterations.floor),
      splice: await run('hls-splice', iterations.splice),
      cold: await run('stitcher-cold', iterations.cold),
      uncached: await run('stitcher-uncached', iterations.uncached),
      warm: await run('stitcher-warm', iterations.warm),
      firstRequest: { samples: firstRequests.map((r) => r.samples[0]), peakRssMiB: Math.max(...firstRequests.map((r) => r.peakRssMiB)) },
      moduleInit,
    };
    report(results);
  } finally {
    await origin.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface Results {
  floor: WorkerResult;
  splice: WorkerResult;
  cold: WorkerResult;
  uncached: WorkerResult;
  warm: WorkerResult;
  firstRequest: WorkerResult;
  moduleInit: number[];
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function report(results: Results): void {
  const bundleKiB = fs.statSync(bundle).size / 1024;
  const row = (tool: string, result: WorkerResult | undefined, samples: number[], ratio: string) =>
    `| ${tool} | ${percentile(samples, 0.5).toFixed(2)} | ${percentile(samples, 0.99).toFixed(2)} | ${ratio} | ${result ? result.peakRssMiB.toFixed(0) : '-'} |`;
  const spliceP50 = percentile(results.splice.samples, 0.5);
  const spliceP99 = percentile(results.splice.samples, 0.99);
  const ratio = (samples: number[]) =>
    `${(spliceP50 / percentile(samples, 0.5)).toFixed(1)}x p50, ${(spliceP99 / percentile(samples, 0.99)).toFixed(1)}x p99`;
  const floorP50 = percentile(results.floor.samples, 0.5);
  const lines = [
    `Input: ${benchInput.contentSegments} segments x ${benchInput.renditions.length} renditions (2 h VOD), ${benchInput.breaks.length} ads of ${benchInput.adSegments} segments, loopback origin, node ${process.version}, ${os.cpus().length} cores.`,
    '',
    '| tool (per media-playlist response) | p50 ms | p99 ms | hls-splice time / this | peak RSS MiB |',
    '|---|---|---|---|---|',
    row('@eyevinn/hls-splice 0.4.11 (loads and splices per request, as lambda-stitch does)', results.splice, results.splice.samples, '1.0x'),
    row('PreRollStitcher handler, cold: nothing of the payload cached (never-seen URLs)', results.cold, results.cold.samples, ratio(results.cold.samples)),
    row('PreRollStitcher handler, cache off: every load fetched and parsed, even twice in a request', results.uncached, results.uncached.samples, ratio(results.uncached.samples)),
    row(`PreRollStitcher handler, first request of a fresh process (${iterations.freshProcesses} processes)`, results.firstRequest, results.firstRequest.samples, ratio(results.firstRequest.samples)),
    row('PreRollStitcher handler, warm (playlists cached)', results.warm, results.warm.samples, ratio(results.warm.samples)),
    row('floor: hls-parser parse + serialize of one content playlist', results.floor, results.floor.samples, '-'),
    '',
    `Warm p50 / floor p50: ${(percentile(results.warm.samples, 0.5) / floorP50).toFixed(2)}x. ` +
      `Bundle: ${bundleKiB.toFixed(0)} KiB. Module init (${iterations.freshProcesses} fresh processes): ` +
      `p50 ${percentile(results.moduleInit, 0.5).toFixed(1)} ms, max ${Math.max(...results.moduleInit).toFixed(1)} ms.`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
