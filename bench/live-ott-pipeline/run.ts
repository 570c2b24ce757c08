import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cfninclude from 'aws-cdk-lib/cloudformation-include';
import {
  ChannelClass, EncodingProfile, HlsAdMarkers, LiveInput, LiveOttPipeline, LiveOttPipelineProps, MediaPackageV1Endpoint, Packaging,
} from '../../src';

/**
 * LiveOttPipeline synthesis benchmark. For each pipeline, the same run alternates three apps that synthesize the same
 * template: one with the construct; one written as untyped L1 resources (one `CfnResource` per resource, its properties
 * as literal data, as a hand-written stack would load the seed's JSON profiles: the cheapest possible L1 stack); one
 * with typed L1 resources (`CfnInclude` makes the `CfnChannel`, `CfnRole`... classes, which validate their properties
 * as hand-written L1 code does, and also parses the file). Each stages the handler bundle as an asset. Reports the
 * median wall time of building the stack and `app.synth()` (construct tree, aws-cdk-lib's CloudFormation validation,
 * asset staging, template writing), the building share, the process CPU time over the same span (less sensitive to
 * other processes than wall time on a shared machine), and the template size.
 * Run with `npx ts-node --project tsconfig.dev.json bench/live-ott-pipeline/run.ts`.
 */

const runs = 21;
const warmups = 2;
const env = { account: '111111111111', region: 'eu-west-1' };
/** The handler bundle the construct stages: the L1 stack stages the same directory. */
const handlerBundle = path.resolve('assets', 'lambda-src', 'live-ott-pipeline', 'stop-on-delete.lambda');

/** The pipelines measured. */
const pipelines: Record<string, () => LiveOttPipelineProps> = {
  'default (v2, 720p, SINGLE_PIPELINE, HLS pull)': () => ({ input: LiveInput.urlPull({ urls: ['https://source.example.com/live/index.m3u8'] }) }),
  'largest (v1 + every endpoint, 1080p, STANDARD)': () => ({
    input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/main', 'live/backup'] }),
    channelClass: ChannelClass.STANDARD,
    encoding: EncodingProfile.hd1080p(),
    segmentLength: Duration.seconds(6),
    autoStart: true,
    packaging: Packaging.mediaPackageV1({
      endpoints: [MediaPackageV1Endpoint.HLS, MediaPackageV1Endpoint.DASH, MediaPackageV1Endpoint.CMAF, MediaPackageV1Endpoint.MSS],
      startoverWindow: Duration.hours(24),
      adMarkers: HlsAdMarkers.SCTE35_ENHANCED,
    }),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
  }),
};

interface Synthesis {
  /** Building the stack and `app.synth()`, in milliseconds. */
  readonly ms: number;
  /**
   * The process's CPU time (user + system) over the same span, in milliseconds: what the synthesis itself costs,
   * less sensitive than wall time to other processes on a shared machine.
   */
  readonly cpuMs: number;
  /** Building the stack only. */
  readonly buildMs: number;
  /** The CPU time of building the stack only. */
  readonly buildCpuMs: number;
  readonly templateBytes: number;
  readonly template: CfnTemplate;
}
interface CfnTemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
interface CfnTemplate { readonly Resources: Record<string, CfnTemplateResource> }

/** Builds an app with `build`, synthesizes it into a fresh directory and measures the wall time of both. */
function synthesize(build: (stack: Stack) => void): Synthesis {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-ott-bench-'));
  try {
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Live', { env });
    build(stack);
    const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
    const buildCpu = process.cpuUsage(cpuStarted);
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuStarted);
    const file = assembly.getStackByName('Live').templateFullPath;
    const text = fs.readFileSync(file, 'utf8');
    return {
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      buildMs,
      buildCpuMs: (buildCpu.user + buildCpu.system) / 1000,
      templateBytes: Buffer.byteLength(text),
      template: JSON.parse(text),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The template as L1 resources: the same types, logical ids, properties, dependencies and policies. */
function l1Stack(template: CfnTemplate): (stack: Stack) => void {
  const resources = Object.entries(template.Resources).filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata');
  return (stack) => {
    new s3assets.Asset(stack, 'StopOnDeleteCode', { path: handlerBundle });
    const byId = new Map<string, CfnResource>();
    for (const [logicalId, resource] of resources) {
      const l1 = new CfnResource(stack, logicalId, { type: resource.Type, properties: resource.Properties });
      l1.overrideLogicalId(logicalId);
      if (resource.DeletionPolicy) l1.addOverride('DeletionPolicy', resource.DeletionPolicy);
      if (resource.UpdateReplacePolicy) l1.addOverride('UpdateReplacePolicy', resource.UpdateReplacePolicy);
      byId.set(logicalId, l1);
    }
    for (const [logicalId, resource] of resources) {
      for (const dependency of [resource.DependsOn ?? []].flat()) byId.get(logicalId)!.addResourceDependency(byId.get(dependency)!);
    }
  };
}

/** The template as typed L1 resources (`CfnChannel`, `CfnRole`...), which validate their properties as hand-written L1 code does. */
function typedL1Stack(templateFile: string): (stack: Stack) => void {
  return (stack) => {
    new s3assets.Asset(stack, 'StopOnDeleteCode', { path: handlerBundle });
    new cfninclude.CfnInclude(stack, 'Template', { templateFile });
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function main(): void {
  const loadBefore = os.loadavg()[0];
  // ts-node maps every captured stack trace through source maps; a published app loads compiled JavaScript without them
  Reflect.deleteProperty(Error, 'prepareStackTrace');
  const rows: string[] = [];
  for (const [name, props] of Object.entries(pipelines)) {
    const withConstruct = (stack: Stack) => { new LiveOttPipeline(stack, 'Live', props()); };
    const reference = synthesize(withConstruct);
    const templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'live-ott-bench-template-')), 'template.json');
    fs.writeFileSync(templateFile, JSON.stringify({ Resources: reference.template.Resources }));
    const sides = { construct: withConstruct, l1: l1Stack(reference.template), typed: typedL1Stack(templateFile) };
    const resourceCount = Object.keys(reference.template.Resources).length;
    type Side = keyof typeof sides;
    const times: Record<Side, number[]> = { construct: [], l1: [], typed: [] };
    const cpuTimes: Record<Side, number[]> = { construct: [], l1: [], typed: [] };
    const builds: Record<Side, number[]> = { construct: [], l1: [], typed: [] };
    const buildCpuTimes: Record<Side, number[]> = { construct: [], l1: [], typed: [] };
    let l1Bytes = 0;
    for (let run = 0; run < warmups + runs; run++) {
      // alternate the order so neither side always runs on a warmer heap
      const order: Side[] = run % 2 === 0 ? ['construct', 'l1', 'typed'] : ['typed', 'l1', 'construct'];
      for (const side of order) {
        const result = synthesize(sides[side]);
        if (side === 'l1') l1Bytes = result.templateBytes;
        if (run >= warmups) {
          times[side].push(result.ms);
          cpuTimes[side].push(result.cpuMs);
          builds[side].push(result.buildMs);
          buildCpuTimes[side].push(result.buildCpuMs);
        }
      }
    }
    fs.rmSync(path.dirname(templateFile), { recursive: true, force: true });
    const overhead = (samples: Record<Side, number[]>, side: Side) => {
      const percent = (median(samples.construct) / median(samples[side]) - 1) * 100;
      return `${percent >= 0 ? '+' : ''}${percent.toFixed(0)} %`;
    };
    const cell = (side: Side) => `${median(times[side]).toFixed(0)} ms (build ${median(builds[side]).toFixed(0)}), `
      + `CPU ${median(cpuTimes[side]).toFixed(0)} ms (build ${median(buildCpuTimes[side]).toFixed(0)})`;
    rows.push(`| ${name} | ${resourceCount} | ${cell('construct')} | ${cell('l1')} | ${cell('typed')} | `
      + `${overhead(times, 'l1')} / ${overhead(times, 'typed')} | ${overhead(cpuTimes, 'l1')} / ${overhead(cpuTimes, 'typed')} | `
      + `${(reference.templateBytes / 1024).toFixed(1)} KiB | ${(l1Bytes / 1024).toFixed(1)} KiB |`);
  }
  console.log(`LiveOttPipeline synthesis, median of ${runs} runs after ${warmups} warm-ups (build + app.synth(), wall and CPU time), Node ${process.version}, `
    + `${os.cpus().length} cores, 1-minute load ${loadBefore.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after\n`);
  console.log('| pipeline | resources | construct | L1 (CfnResource) | typed L1 (CfnInclude) | construct adds, wall (vs CfnResource / typed) | '
    + 'construct adds, CPU (vs CfnResource / typed) | template (construct) | template (L1) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nTarget: the construct adds less than 20 % synthesis time over the same template written as L1 resources.');
  console.log('Wall times on a shared machine vary run to run by tens of percent: compare the columns of one run.');
}

main();
