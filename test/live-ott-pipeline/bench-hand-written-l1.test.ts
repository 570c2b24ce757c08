import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { benchEnv, benchPipelines, handWrittenDifferences, pipelineId } from '../../bench/live-ott-pipeline/pipelines';
import { CfnTemplate } from '../../bench/live-ott-pipeline/template-equivalence';
import { LiveOttPipeline } from '../../src';

/** The benchmark compares the construct's synthesis with these stacks: they must be the same template, written as typed L1 code. */

const benchStack = () => new Stack(new App(), 'Live', { env: benchEnv });
const templateOf = (stack: Stack) => Template.fromStack(stack).toJSON() as CfnTemplate;
const resourceTypes = (template: CfnTemplate) => Object.values(template.Resources).map((resource) => resource.Type).sort();

describe.each(benchPipelines.map((pipeline) => [pipeline.name, pipeline] as const))('hand-written typed L1 stack of the %s pipeline', (_, pipeline) => {
  const constructStack = benchStack();
  new LiveOttPipeline(constructStack, pipelineId, pipeline.props());
  const handWrittenStack = benchStack();
  pipeline.handWritten(handWrittenStack);

  test('has the construct\'s resource types, as many of each', () => {
    expect(resourceTypes(templateOf(handWrittenStack))).toEqual(resourceTypes(templateOf(constructStack)));
  });

  test('synthesizes the construct\'s template once logical ids and asset hashes are normalized', () => {
    expect(handWrittenDifferences(templateOf(constructStack), templateOf(handWrittenStack))).toEqual([]);
  });

  test('is written with the generated L1 classes, untyped only for the custom resource', () => {
    const untyped = handWrittenStack.node.findAll()
      .filter((construct): construct is CfnResource => construct instanceof CfnResource && construct.constructor === CfnResource)
      .map((resource) => resource.cfnResourceType);
    expect(untyped).toEqual(['Custom::MediaLiveChannelStopOnDelete']);
  });

  test('a property that differs deep in the channel settings is a difference', () => {
    const changed = benchStack();
    pipeline.handWritten(changed);
    (changed.node.findChild('Channel') as CfnResource).addPropertyOverride('EncoderSettings.VideoDescriptions.1.Width', 1);
    const differences = handWrittenDifferences(templateOf(constructStack), templateOf(changed));
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(/^Resources\.Channel\.Properties\.EncoderSettings\.VideoDescriptions\[1\]\.Width: expected \d+, got 1$/);
  });

  test('a missing property, an extra dependency and a changed deletion policy are differences', () => {
    const changed = benchStack();
    pipeline.handWritten(changed);
    const distribution = changed.node.findChild('Distribution') as CfnResource;
    distribution.addPropertyDeletionOverride('DistributionConfig.HttpVersion');
    distribution.addResourceDependency(changed.node.findChild('Channel') as CfnResource);
    (changed.node.findChild('StopOnDeleteLogs') as CfnResource).cfnOptions.deletionPolicy = undefined;
    expect(handWrittenDifferences(templateOf(constructStack), templateOf(changed))).toEqual([
      'Resources.Distribution.DependsOn: unexpected ["Channel"]',
      'Resources.Distribution.Properties.DistributionConfig.HttpVersion: missing (expected "http2and3")',
      'Resources.StopOnDeleteLogs.DeletionPolicy: missing (expected "Retain")',
    ]);
  });
});
