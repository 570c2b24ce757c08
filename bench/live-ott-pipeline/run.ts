import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cfninclude from 'aws-cdk-lib/cloudformation-include';
import { stopOnDeleteBundle } from './hand-written-parts';
import { benchEnv, benchPipelines, handWrittenDifferences, pipelineId } from './pipelines';
import { CfnTemplate } from './template-equivalence';
import { LiveOttPipeline } from '../../src';

/**
 * LiveOttPipeline synthesis benchmark. For each pipeline, the same run alternates four apps that synthesize the same
 * template: one with the construct; one written by hand as typed L1 classes (`CfnChannel`, `CfnOriginEndpoint`,
 * `CfnDistribution`, `CfnRole`... in bench/live-ott-pipeline/hand-written-*.ts, checked equal to the construct's
 * template before measuring): what a user without the construct writes; one as untyped L1 resources (one `CfnResource`
 * per resource, its properties as literal data: the cheapest possible L1 stack); one with `CfnInclude` of the
 * construct's template (typed L1 classes, plus parsing the file). Each stages the handler bundle as an asset. Reports
 * the median wall time of building the stack and `app.synth()` (construct tree, aws-cdk-lib's CloudFormation
 * validation, asset staging, template writing), the building share, the process CPU time over the same span (less
 * sensitive to other processes than wall time on a shared machine), what the construct adds over each other side (the
 * median of the per-run ratios, the sides of a run being synthesized back to back), and the template size.
 * Run with `npx ts-node --project tsconfig.dev.json bench/live-ott-pipeline/run.ts`.
 */

const runs = 21;
const warmups = 2;

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

/** Builds an app with `build`, synthesizes it into a fresh directory and measures the wall time of both. */
function synthesize(build: (stack: Stack) => void): Synthesis {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-ott-bench-'));
  try {
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Live', { env: benchEnv });
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

/** The template as untyped L1 resources: the same types, logical ids, properties, dependencies and policies. */
function untypedL1Stack(template: CfnTemplate): (stack: Stack) => void {
  const resources = Object.entries(template.Resources).filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata');
  return (stack) => {
    new s3assets.Asset(stack, 'StopOnDeleteCode', { path: stopOnDeleteBundle });
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

/** The template included as typed L1 resources by `CfnInclude`, which also parses the file. */
function includedL1Stack(templateFile: string): (stack: Stack) => void {
  return (stack) => {
    new s3assets.Asset(stack, 'StopOnDeleteCode', { path: stopOnDeleteBundle });
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
  for (const pipeline of benchPipelines) {
    const withConstruct = (stack: Stack) => { new LiveOttPipeline(stack, pipelineId, pipeline.props()); };
    const reference = synthesize(withConstruct);
    const differences = handWrittenDifferences(reference.template, synthesize(pipeline.handWritten).template);
    if (differences.length > 0) throw new Error(`the hand-written ${pipeline.name} stack differs from the construct's:\n${differences.join('\n')}`);
    const templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'live-ott-bench-template-')), 'template.json');
    fs.writeFileSync(templateFile, JSON.stringify({ Resources: reference.template.Resources }));
    const sides = {
      construct: withConstruct,
      handWritten: pipeline.handWritten,
      untyped: untypedL1Stack(reference.template),
      included: includedL1Stack(templateFile),
    };
    type Side = keyof typeof sides;
    const sideNames = Object.keys(sides) as Side[];
    const samples = () => Object.fromEntries(sideNames.map((side) => [side, [] as number[]])) as Record<Side, number[]>;
    const times = samples();
    const cpuTimes = samples();
    const builds = samples();
    const buildCpuTimes = samples();
    const resourceCount = Object.keys(reference.template.Resources).length;
    let handWrittenBytes = 0;
    for (let run = 0; run < warmups + runs; run++) {
      // alternate the order so no side always runs on a warmer heap
      const order = run % 2 === 0 ? sideNames : [...sideNames].reverse();
      for (const side of order) {
        const result = synthesize(sides[side]);
        if (side === 'handWritten') handWrittenBytes = result.templateBytes;
        if (run >= warmups) {
          times[side].push(result.ms);
          cpuTimes[side].push(result.cpuMs);
          builds[side].push(result.buildMs);
          buildCpuTimes[side].push(result.buildCpuMs);
        }
      }
    }
    fs.rmSync(path.dirname(templateFile), { recursive: true, force: true });
    // each run synthesizes every side back to back: the median of the per-run ratios follows the machine's load drift less than a ratio of medians
    const overheads = (values: Record<Side, number[]>) => (['handWritten', 'untyped', 'included'] as const).map((side) => {
      const percent = (median(values.construct.map((value, run) => value / values[side][run])) - 1) * 100;
      return `${percent >= 0 ? '+' : ''}${percent.toFixed(0)} %`;
    }).join(' / ');
    const cell = (side: Side) => `CPU ${median(cpuTimes[side]).toFixed(0)} ms (build ${median(buildCpuTimes[side]).toFixed(0)}), `
      + `wall ${median(times[side]).toFixed(0)} ms (build ${median(builds[side]).toFixed(0)})`;
    rows.push(`| ${pipeline.name}, ${resourceCount} resources | ${sideNames.map(cell).join(' | ')} | ${overheads(cpuTimes)} | ${overheads(times)} | `
      + `${(reference.templateBytes / 1024).toFixed(1)} / ${(handWrittenBytes / 1024).toFixed(1)} KiB |`);
  }
  console.log(`LiveOttPipeline synthesis, median of ${runs} runs after ${warmups} warm-ups (build + app.synth(), CPU and wall time; `
    + `what the construct adds is the median of the runs' ratios), Node ${process.version}, `
    + `${os.cpus().length} cores, 1-minute load ${loadBefore.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after\n`);
  console.log('| pipeline | construct | typed L1, hand-written | untyped L1 (CfnResource) | typed L1 (CfnInclude) | '
    + 'construct adds, CPU (vs hand-written / CfnResource / CfnInclude) | construct adds, wall (same order) | template (construct / hand-written) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nTarget: the construct adds less than 20 % synthesis time over the same template written by hand as typed L1 resources.');
  console.log('Wall times on a shared machine vary run to run by tens of percent: compare the columns of one run.');
}

main();
