import {
  benchChannel, ChannelModel, edgeGuard, generateChannel, HourlyCost, jitterModels, measureHealthyHour, measureStall, noCost, originGuard,
  seedDetector, StalePlaylistStrategy, stallPipeline, targetDurationMs,
} from './model';
import { heartbeatIntervalMs, isSafeThreshold, oldestHealthyAgeMs, staleAfterMs } from '../../src/stale-playlist-guard/contract/staleness';

/**
 * StalePlaylistGuard benchmark: the aws-samples seed, our origin mode and our edge mode on the same simulated channel
 * (virtual clock, seeded PRNG, no waiting). Per seed, a healthy hour counts false positives and cost; the same hour
 * with pipeline A stopping at a random time measures detection latency. Prints a markdown table and the targets.
 * Run with `npx ts-node --project tsconfig.dev.json bench/stale-playlist-guard/run.ts`.
 */

const trials = 200;
const stalledPipeline = 0;
const ourStaleAfterTargetDurations = 3;
const tdMs = targetDurationMs(benchChannel);
const ourThresholdMs = staleAfterMs(benchChannel.targetDurationSeconds, ourStaleAfterTargetDurations);

/** Public list prices (us-east-1, USD). */
const prices = {
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  cloudFrontFunctionInvocation: 0.1 / 1e6,
  s3GetOrHead: 0.4 / 1e6,
  s3Copy: 5 / 1e6,
  keyValueStoreApiCall: 1 / 1000,
};

const seedCdn = { playlistTtlMs: 2000, notFoundTtlMs: 10_000 };
const ourCdn = { playlistTtlMs: tdMs / 2, notFoundTtlMs: tdMs / 2 };
const strategies: { strategy: StalePlaylistStrategy; role: 'seed' | 'origin' | 'edge' }[] = [
  {
    role: 'seed',
    strategy: seedDetector({
      name: 'seed (aws-samples), as briefed: wakes at Last-Modified + 1.5 TD',
      memoryMb: 128,
      staleAfterTargetDurations: 1.5,
      wholeSecondSleep: false,
      cdn: seedCdn,
    }),
  },
  {
    role: 'seed',
    strategy: seedDetector({
      name: 'seed variant: sleep of whole seconds from the current whole second (as its source computes it)',
      memoryMb: 128,
      staleAfterTargetDurations: 1.5,
      wholeSecondSleep: true,
      cdn: seedCdn,
    }),
  },
  {
    role: 'origin',
    strategy: originGuard({
      name: 'origin mode: S3 event -> SQS (delay 3 TD) -> Lambda, ETag + If-Match delete',
      memoryMb: 256,
      staleAfterTargetDurations: ourStaleAfterTargetDurations,
      recordMs: 50,
      batchSize: 10,
      maximumBatchingWindowMs: 0,
      pollResponseMs: 20,
      cdn: ourCdn,
    }),
  },
  {
    role: 'edge',
    strategy: edgeGuard({
      name: 'edge mode: CloudFront Function at viewer-response + marker (S3 event -> Lambda, ranged GET, copy of marked playlists)',
      staleAfterTargetDurations: ourStaleAfterTargetDurations,
      cdn: { ...ourCdn, notFoundTtlMs: 0 },
      marker: { memoryMb: 256, invocationMs: 40 },
      heartbeatIntervalMs: heartbeatIntervalMs(benchChannel.targetDurationSeconds, ourThresholdMs),
    }),
  },
];

interface Tally {
  latenciesMs: number[];
  missed: number;
  falseDeletions: number;
  falseNotFoundEpisodes: number;
  cost: HourlyCost;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function dollars(cost: HourlyCost): number {
  return cost.lambdaGbSeconds * prices.lambdaGbSecond + cost.lambdaInvocations * prices.lambdaRequest + cost.sqsRequests * prices.sqsRequest
    + cost.cloudFrontFunctionInvocations * prices.cloudFrontFunctionInvocation + cost.s3Requests * prices.s3GetOrHead + cost.s3Copies * prices.s3Copy
    + cost.keyValueStoreWrites * prices.keyValueStoreApiCall;
}

function main(): void {
  for (const jitter of jitterModels) {
    const model: ChannelModel = { ...benchChannel, updateIntervalTargetDurations: jitter.updateIntervalTargetDurations };
    const startedMs = Date.now();
    console.log(`### Encoder jitter: ${jitter.name}\n`);
    report(model, simulate(model), Date.now() - startedMs);
    console.log('');
  }
}

function simulate(model: ChannelModel): Tally[] {
  const tallies: Tally[] = strategies.map(() => ({ latenciesMs: [], missed: 0, falseDeletions: 0, falseNotFoundEpisodes: 0, cost: noCost() }));
  for (let seed = 1; seed <= trials; seed++) {
    const channel = generateChannel(model, seed);
    const stalled = stallPipeline(channel, stalledPipeline);
    strategies.forEach(({ strategy }, index) => {
      const tally = tallies[index];
      const healthy = measureHealthyHour(strategy, channel);
      tally.falseDeletions += healthy.falseDeletions;
      tally.falseNotFoundEpisodes += healthy.falseNotFoundEpisodes;
      for (const key of Object.keys(tally.cost) as (keyof HourlyCost)[]) tally.cost[key] += healthy.cost[key] / trials;
      for (const latencyMs of measureStall(strategy, stalled, stalledPipeline)) {
        if (Number.isFinite(latencyMs)) tally.latenciesMs.push(latencyMs);
        else tally.missed++;
      }
    });
  }
  return tallies;
}

function report(model: ChannelModel, tallies: Tally[], elapsedMs: number): void {
  const thresholdMs = staleAfterMs(model.targetDurationSeconds, ourStaleAfterTargetDurations);
  const edgeTtlMs = tdMs / 2;
  const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
  const count = (value: number) => (value === 0 ? '0' : Math.round(value).toLocaleString('en-US'));
  const samples = tallies[0].latenciesMs.length + tallies[0].missed;
  const rows = strategies.map(({ strategy, role }, index) => {
    const tally = tallies[index];
    const { cost } = tally;
    const perThousandViewers = (cost.cloudFrontFunctionInvocations * 1000) / model.viewers;
    return `| ${strategy.name} | ${seconds(percentile(tally.latenciesMs, 0.5))} | ${seconds(percentile(tally.latenciesMs, 0.99))} | ${tally.missed} ` +
      `| ${count(tally.falseDeletions)} / ${count(tally.falseNotFoundEpisodes)} | ${count(cost.lambdaInvocations)} | ${cost.lambdaGbSeconds.toFixed(1)} ` +
      `| ${count(cost.sqsRequests)} | ${role === 'edge' ? count(perThousandViewers) : '0'} | ${count(cost.s3Requests)} | ${count(cost.keyValueStoreWrites)} ` +
      `| ${dollars(cost).toFixed(4)} |`;
  });
  const byRole = (role: string) => tallies[strategies.findIndex((entry) => entry.role === role)];
  const seed = byRole('seed');
  const origin = byRole('origin');
  const edge = byRole('edge');
  const edgeP99Ms = percentile(edge.latenciesMs, 0.99);
  const edgeBoundMs = thresholdMs + tdMs / 2;
  const gbSecondsRatio = seed.cost.lambdaGbSeconds / origin.cost.lambdaGbSeconds;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const falsePositives = (tally: Tally) => tally.falseDeletions + tally.falseNotFoundEpisodes;
  const lines = [
    `Channel: TD ${model.targetDurationSeconds} s, ${model.renditions} renditions x ${model.pipelines} pipelines, 1 h, ${model.viewers.toLocaleString('en-US')} viewers ` +
      `(100 per media playlist, each reloading every TD). ${trials} seeds (1..${trials}); stall: pipeline A stops at a random minute 10-50, ` +
      `${samples} samples (one per A media playlist). Our threshold ${ourStaleAfterTargetDurations} x TD = ${seconds(thresholdMs)} s ` +
      `(oldest healthy age behind a ${seconds(edgeTtlMs)} s cache: ${seconds(oldestHealthyAgeMs(model.targetDurationSeconds, edgeTtlMs))} s, ` +
      `safe: ${isSafeThreshold(model.targetDurationSeconds, ourStaleAfterTargetDurations, edgeTtlMs)}); seed 1.5 x TD.`,
    '',
    '| strategy | detection p50 s | detection p99 s | missed | false positives in 200 healthy h (deletions / 404 episodes) | Lambda invocations/h | ' +
      'Lambda GB-s/h | SQS requests/h | CF Function invocations/h per 1k viewers | S3 GET+HEAD/h | KeyValueStore writes/h | ~$/channel-hour |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Prices (us-east-1 list): Lambda $${prices.lambdaGbSecond}/GB-s + $0.20/M requests; SQS $0.40/M requests; CloudFront Functions $0.10/M ` +
      'invocations (the function\'s part of edge $ is per 1,000 viewers and scales with them); S3 GET/HEAD $0.40/M, COPY $5/M (DELETE free); ' +
      'S3 event notifications free; CloudFront KeyValueStore $1.00 per 1,000 API calls (reads from functions $0.03/M, only while a playlist is ' +
      'stale, left out). Marker: 256 MiB arm64, 40 ms per invocation assumed (one ranged GET); one warm instance writes each pipeline\'s ' +
      'heartbeat at most once per heartbeat interval (more concurrent instances write more). CloudFront requests and transfer ' +
      'are the same for all strategies and left out.',
    'Detection: last write of a playlist of pipeline A -> first 404 a viewer of it gets (edge: answered by the function; others: ' +
      'the CDN after deletion and cache expiry). Seed CDN: CachingOptimized with a 2 s encoder Cache-Control (generous; without it 24 h), ' +
      '404 cached 10 s. Ours: playlist TTL TD/2; origin mode 404 cached TD/2, edge 404 not cached.',
    '',
    `- zero false positives, origin mode: ${verdict(falsePositives(origin) === 0)} (${falsePositives(origin)})`,
    `- zero false positives, edge mode: ${verdict(falsePositives(edge) === 0)} (${falsePositives(edge)})`,
    `- edge p99 detection <= threshold + TD/2 = ${seconds(edgeBoundMs)} s: ${verdict(edgeP99Ms <= edgeBoundMs)} (${seconds(edgeP99Ms)} s)`,
    `- origin mode >= 50x fewer Lambda GB-s than the seed: ${verdict(gbSecondsRatio >= 50)} (${gbSecondsRatio.toFixed(0)}x)`,
    '',
    `Simulated in ${(elapsedMs / 1000).toFixed(1)} s (node ${process.version}).`,
  ];
  console.log(lines.join('\n'));
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}
