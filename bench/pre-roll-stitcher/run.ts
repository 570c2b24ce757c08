import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { BenchShape, benchShapes, startBenchOrigin } from './origin';
import type { WorkerResult } from './worker';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';

/**
 * PreRollStitcher benchmark, side by side with @eyevinn/hls-splice in the same run: per stitched
 * media-playlist response, for one or more input shapes (origin.ts), served from loopback. Every
 * measurement runs in its own plain-node process. Run with `npx projen bench`, or
 * `ts-node --project tsconfig.dev.json bench/pre-roll-stitcher/run.ts [--shape <name>]... [--origin-latency-ms <n>] [--warm-up-requests <n>]`
 * (default: every shape, an origin that answers at once, 150 warm-up requests).
 */

const repo = path.resolve(__dirname, '..', '..');
const bundle = path.join(repo, 'assets', 'lambda-src', 'pre-roll-stitcher', 'stitch.lambda', 'index.js');
const iterations = { cold: 100, uncached: 60, warm: 400, splice: 100, floor: 200, freshProcesses: 15 };
/**
 * Requests hls-splice and the stitcher's cold and cache-off rows serve unmeasured first (the cold row with
 * never-seen URLs of its own): both tools are measured in the steady state of a function instance that has
 * served a while, its code compiled and, for the stitcher, its playlist cache full. Over the first hundred or so
 * requests of a process both tools speed up by half and more, so a median taken there mostly measures how far
 * each has warmed up. The first request of a fresh process is its own row.
 */
const defaultWarmUpRequests = 150;

interface Results {
  floor: WorkerResult;
  splice: WorkerResult;
  cold: WorkerResult;
  uncached: WorkerResult;
  warm: WorkerResult;
  firstRequest: WorkerResult;
  moduleInit: number[];
}

/** What to run. */
interface BenchOptions {
  /** The shapes named by `--shape` (repeatable), every shape when none is named. */
  readonly shapes: BenchShape[];
  /** `--origin-latency-ms`: how long the origin holds back each response. */
  readonly originLatencyMs: number;
  /** `--warm-up-requests`: unmeasured requests before the hls-splice, cold and cache-off rows (0: a fresh process's first ones). */
  readonly warmUpRequests: number;
}

function parseArguments(args: string[]): BenchOptions {
  const names: string[] = [];
  let originLatencyMs = 0;
  let warmUpRequests = defaultWarmUpRequests;
  for (let index = 0; index < args.length; index++) {
    const value = args[index + 1] ?? '';
    if (args[index] === '--shape') {
      names.push(value);
    } else if (args[index] === '--origin-latency-ms' && /^\d{1,4}$/.test(value)) {
      originLatencyMs = Number(value);
    } else if (args[index] === '--warm-up-requests' && /^\d{1,4}$/.test(value)) {
      warmUpRequests = Number(value);
    } else {
      throw new Error(`unexpected argument ${args[index]}: use --shape <${Object.keys(benchShapes).join('|')}>, --origin-latency-ms <0-9999>`
        + ' and --warm-up-requests <0-9999>');
    }
    index++;
  }
  const shapes = (names.length > 0 ? names : Object.keys(benchShapes)).map((name) => {
    const shape = benchShapes[name];
    if (!shape) throw new Error(`unknown shape '${name}': the shapes are ${Object.keys(benchShapes).join(', ')}`);
    return shape;
  });
  return { shapes, originLatencyMs, warmUpRequests };
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
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
  const loadBefore = os.loadavg()[0];
  try {
    const measured: Array<[BenchShape, Results]> = [];
    for (const shape of options.shapes) measured.push([shape, await measureShape(shape, options, work, worker)]);
    report(measured, options, loadBefore);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function measureShape(shape: BenchShape, { originLatencyMs, warmUpRequests }: BenchOptions, work: string, worker: string): Promise<Results> {
  const origin = await startBenchOrigin(shape, originLatencyMs);
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
    const run = async (task: string, count: number, warmUp = 0): Promise<WorkerResult> => {
      const resultFile = path.join(work, `${shape.name}-${task}-${Date.now()}.json`);
      const child = spawn(process.execPath, [worker, task, shape.name, origin.url, String(count), resultFile, bundle, String(warmUp)], {
        env, stdio: ['ignore', 'ignore', 'inherit'],
      });
      const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (exitCode !== 0) throw new Error(`${shape.name} ${task} worker failed (exit ${exitCode})`);
      return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as WorkerResult;
    };
    const moduleInit: number[] = [];
    const firstRequests: WorkerResult[] = [];
    for (let attempt = 0; attempt < iterations.freshProcesses; attempt++) {
      moduleInit.push((await run('module-init', 1)).samples[0]);
      firstRequests.push(await run('stitcher-first-request', 1));
    }
    return {
      floor: await run('floor', iterations.floor),
      splice: await run('hls-splice', iterations.splice, warmUpRequests),
      cold: await run('stitcher-cold', iterations.cold, warmUpRequests),
      uncached: await run('stitcher-uncached', iterations.uncached, warmUpRequests),
      warm: await run('stitcher-warm', iterations.warm),
      firstRequest: {
        samples: firstRequests.map((r) => r.samples[0]),
        cpuSamples: firstRequests.map((r) => r.cpuSamples[0]),
        peakRssMiB: firstRequests.reduce((peak, r) => Math.max(peak, r.peakRssMiB), 0),
      },
      moduleInit,
    };
  } finally {
    await origin.close();
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One table, a column group per shape, so the shapes read side by side. */
function report(measured: Array<[BenchShape, Results]>, { originLatencyMs, warmUpRequests }: BenchOptions, loadBefore: number): void {
  const bundleKiB = fs.statSync(bundle).size / 1024;
  const rows: Array<[string, (results: Results) => WorkerResult, boolean]> = [
    ['@eyevinn/hls-splice 0.4.11 (loads and splices per request, as lambda-stitch does)', (r) => r.splice, false],
    ['PreRollStitcher handler, cold: nothing of the payload cached (never-seen URLs)', (r) => r.cold, true],
    ['PreRollStitcher handler, cache off: every load fetched and parsed, even twice in a request', (r) => r.uncached, true],
    [`PreRollStitcher handler, first request of a fresh process (${iterations.freshProcesses} processes)`, (r) => r.firstRequest, true],
    ['PreRollStitcher handler, warm (playlists cached)', (r) => r.warm, true],
    ['floor: hls-parser parse + serialize of one content playlist', (r) => r.floor, false],
  ];
  const ratio = (results: Results, samples: number[]) =>
    `${(percentile(results.splice.samples, 0.5) / percentile(samples, 0.5)).toFixed(1)}x / ${(percentile(results.splice.samples, 0.99) / percentile(samples, 0.99)).toFixed(1)}x`;
  const header = measured.map(([shape]) => `${shape.name}: p50 ms | p99 ms | CPU p50 ms | hls-splice / this (p50 / p99) | peak RSS MiB`).join(' | ');
  const lines = [
    'Shapes:',
    ...measured.map(([shape]) => `- ${shape.name}: ${shape.description}.`),
    '',
    `hls-splice, cold and cache-off rows after ${warmUpRequests} unmeasured requests each.`,
    `Loopback origin answering ${originLatencyMs > 0 ? `after ${originLatencyMs} ms` : 'at once'}, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadBefore.toFixed(2)} at the start and ${os.loadavg()[0].toFixed(2)} at the end.`,
    '',
    `| tool (per media-playlist response) | ${header} |`,
    `|---|${measured.map(() => '---|---|---|---|---').join('|')}|`,
    ...rows.map(([tool, result, compared]) => `| ${tool} | ${measured.map(([, results]) => [
      percentile(result(results).samples, 0.5).toFixed(2),
      percentile(result(results).samples, 0.99).toFixed(2),
      percentile(result(results).cpuSamples, 0.5).toFixed(2),
      compared ? ratio(results, result(results).samples) : tool.startsWith('@eyevinn') ? '1.0x' : '-',
      result(results).peakRssMiB.toFixed(0),
    ].join(' | ')).join(' | ')} |`),
    '',
    ...measured.map(([shape, results]) =>
      `${shape.name}: warm p50 / floor p50 ${(percentile(results.warm.samples, 0.5) / percentile(results.floor.samples, 0.5)).toFixed(2)}x; ` +
      `module init (${iterations.freshProcesses} fresh processes) p50 ${percentile(results.moduleInit, 0.5).toFixed(1)} ms, ` +
      `max ${results.moduleInit.reduce((max, sample) => Math.max(max, sample), 0).toFixed(1)} ms.`),
    `Bundle: ${bundleKiB.toFixed(0)} KiB.`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
