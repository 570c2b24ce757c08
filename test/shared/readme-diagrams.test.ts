import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Diagram, diagrams, withDiagrams } from '../../example/diagrams';
import { LiveInput, LiveOttPipeline, LivePipeline, PlaybackConfiguration, PrefetchSessionInitializer, PreRollStitcher, StalePlaylistGuard, TimeShiftChannel, TimeShiftedViewing } from '../../src';

/** A stack with the construct as the README's example builds it, per diagram. */
const exampleStacks: Record<string, (stack: Stack) => void> = {
  'pre-roll-stitcher': (stack) => new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'] }),
  'stale-playlist-guard': (stack) => new StalePlaylistGuard(stack, 'Guard', {
    targetDuration: Duration.seconds(6), pipelines: [LivePipeline.atPrefix('pipeline-a/'), LivePipeline.atPrefix('pipeline-b/')],
  }),
  'live-ott-pipeline': (stack) => new LiveOttPipeline(stack, 'Live', {
    input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/main'] }),
  }),
  'time-shifted-viewing': (stack) => new TimeShiftedViewing(stack, 'News', {
    channel: TimeShiftChannel.create({
      channelName: 'news',
      maxTimeDelay: Duration.hours(2),
      outputs: [{ manifestName: 'index_hls', sourceGroup: 'hls', hlsPlaylistSettings: { manifestWindowSeconds: 60 } }],
    }),
  }),
  'prefetch-session-initializer': (stack) => new PrefetchSessionInitializer(stack, 'Ads', {
    playbackConfiguration: PlaybackConfiguration.create({
      adDecisionServerUrl: 'https://ads.example.com/vast', videoContentSourceUrl: 'https://live.example.com/out/v1/',
    }),
  }),
};

/** The resource types a diagram names that the construct's example stack does not deploy. */
function missingResourceTypes(diagram: Diagram): string[] {
  const build = exampleStacks[diagram.construct];
  if (!build) throw new Error(`no example stack for the ${diagram.construct} diagram: add one to exampleStacks`);
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  build(stack);
  const types = new Set(Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type));
  return diagram.steps.flatMap((step) => step.resourceTypes).filter((type) => !types.has(type));
}

describe('README diagrams', () => {
  test('the README shows exactly what example/diagrams.ts draws (run `npx projen docs:diagrams` after a change)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withDiagrams(readme)).toBe(readme);
  });

  test.each(diagrams.map((diagram) => [diagram.construct, diagram] as const))('every box of the %s diagram is in its template', (_construct, diagram) => {
    expect(missingResourceTypes(diagram)).toEqual([]);
  });

  test('a diagram naming a resource the construct does not deploy is caught', () => {
    const guard = diagrams.find((diagram) => diagram.construct === 'stale-playlist-guard')!;
    const wrong: Diagram = { ...guard, steps: [...guard.steps, { via: 'x', box: ['topic'], resourceTypes: ['AWS::SNS::Topic'] }] };
    expect(missingResourceTypes(wrong)).toEqual(['AWS::SNS::Topic']);
  });
});
