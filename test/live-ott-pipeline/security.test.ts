import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { largestV1Pipeline, maximalPipeline, pipelineStack } from './pipeline-stack';
import { ChannelClass, LiveInput, LiveOttPipeline } from '../../src';
import { stopOnDeleteProperties } from '../../src/live-ott-pipeline/contract/stop-on-delete';
import { expectNagClean } from '../harness/nag';

/** Every statement of every identity policy in the template, with the policy's logical id. */
function statementsOf(template: Template): Array<{ policy: string; roles: unknown; statement: Record<string, any> }> {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .map((statement) => ({ policy, roles: resource.Properties.Roles, statement })));
}
const actionsOf = (statement: Record<string, any>): string[] => [].concat(statement.Action);
const channelRoleStatements = (template: Template) => statementsOf(template)
  .filter(({ roles }) => JSON.stringify(roles).includes('LiveChannelRole')).map(({ statement }) => statement);

const stackFor = () => new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
const encryptedBucket = (stack: Stack) => s3.Bucket.fromBucketAttributes(stack, 'Sources', {
  bucketName: 'live-sources',
  encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000000'),
});

describe('LiveOttPipeline security', () => {
  test('no policy allows a wildcard action, and the only wildcard resource is the channel log group\'s streams', () => {
    const maximal = () => {
      const stack = stackFor();
      maximalPipeline(stack);
      return Template.fromStack(stack);
    };
    const largestV1 = () => {
      const stack = stackFor();
      largestV1Pipeline(stack);
      return Template.fromStack(stack);
    };
    for (const build of [() => pipelineStack().template, maximal, largestV1]) {
      const template = build();
      for (const { statement } of statementsOf(template)) {
        for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
        const resources = JSON.stringify(statement.Resource);
        if (resources.includes('*')) expect(resources).toMatch(/log-group:ElementalMediaLive:\*|-\?\?\?\?\?\?/);
      }
    }
  });

  test('the channel role writes to its MediaPackage channel and its logs, and reads nothing it was not given (HLS pull, no credentials)', () => {
    const { template } = pipelineStack();
    const actions = channelRoleStatements(template).flatMap(actionsOf).sort();
    expect(actions).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'mediapackagev2:PutObject']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Sid: 'WriteToThePackagerChannel', Effect: 'Allow', Action: 'mediapackagev2:PutObject', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LivePackagerChannel'), 'Arn'] } }] },
    });
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'medialive.amazonaws.com' } })] } });
  });

  test.each([
    ['MEDIACONNECT', () => LiveInput.mediaConnect({ flowArns: ['arn:aws:mediaconnect:eu-west-1:111111111111:flow:1-a:f'] }), ['mediaconnect:']],
    ['URL_PULL with credentials', (stack: Stack) => LiveInput.urlPull({ urls: ['https://a.example.com/i.m3u8'], credentials: { username: 'u', password: ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'P', { parameterName: '/p' }) } }), ['ssm:']],
    ['RTMP_PUSH', () => LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/a'] }), []],
    ['INPUT_DEVICE', () => LiveInput.inputDevice({ deviceIds: ['hd-0123456789abcdef01234567'] }), []],
    ['MP4_FILE from S3', (stack: Stack) => LiveInput.mp4File({ objects: [{ bucket: s3.Bucket.fromBucketName(stack, 'B', 'live-sources'), key: 'a.mp4' }] }), ['s3:']],
    ['URL_PULL from an encrypted bucket', (stack: Stack) => LiveInput.urlPull({ objects: [{ bucket: encryptedBucket(stack), key: 'live/index.m3u8' }] }), ['s3:', 'kms:']],
  ] as Array<[string, (stack: Stack) => LiveInput, string[]]>)('%s adds to the channel role only the service it reads from', (_name, input, services) => {
    const stack = stackFor();
    new LiveOttPipeline(stack, 'Live', { input: input(stack) });
    const extra = channelRoleStatements(Template.fromStack(stack)).flatMap(actionsOf).filter((action) => !/^(logs|mediapackagev2):/.test(action));
    expect([...new Set(extra.map((action) => `${action.split(':')[0]}:`))]).toEqual(services);
  });

  test('the stop-on-delete function may describe and stop this channel only, and the custom resource names the channel', () => {
    const { template } = pipelineStack();
    const stopStatements = statementsOf(template).filter(({ roles }) => JSON.stringify(roles).includes('StopOnDeleteRole')).map(({ statement }) => statement);
    const medialive = stopStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('medialive:')));
    expect(medialive).toEqual([{ Sid: 'StopTheChannel', Effect: 'Allow', Action: ['medialive:DescribeChannel', 'medialive:StopChannel'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LiveChannel[0-9A-F]{8}$/), 'Arn'] } }]);
    expect(stopStatements.flatMap(actionsOf).filter((action) => !action.startsWith('medialive:') && !action.startsWith('logs:'))).toEqual([]);
    const [resource] = Object.values(template.findResources('Custom::MediaLiveChannelStopOnDelete'));
    expect(resource.Properties[stopOnDeleteProperties.channelId]).toEqual({ Ref: expect.stringMatching(/^LiveChannel[0-9A-F]{8}$/) });
    // deleted before its function's permissions: it depends on them
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^LiveStopOnDeleteRoleDefaultPolicy/), expect.stringMatching(/^LiveStopOnDeleteFunction/)]));
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  test('autoStart: the function may also start this channel, and the custom resource asks for the start; without it, neither', () => {
    const startStatements = (template: Template) => statementsOf(template)
      .filter(({ roles, statement }) => JSON.stringify(roles).includes('StopOnDeleteRole') && actionsOf(statement).includes('medialive:StartChannel'))
      .map(({ statement }) => statement);
    const autoStart = pipelineStack({ autoStart: true }).template;
    expect(startStatements(autoStart)).toEqual([{ Sid: 'StartTheChannel', Effect: 'Allow', Action: 'medialive:StartChannel', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LiveChannel[0-9A-F]{8}$/), 'Arn'] } }]);
    expect(Object.values(autoStart.findResources('Custom::MediaLiveChannelStopOnDelete'))[0].Properties[stopOnDeleteProperties.autoStart]).toBe('true');
    const stopped = pipelineStack().template;
    expect(startStatements(stopped)).toEqual([]);
    expect(Object.values(stopped.findResources('Custom::MediaLiveChannelStopOnDelete'))[0].Properties[stopOnDeleteProperties.autoStart]).toBeUndefined();
  });

  test('no secret value in the template: SRT passphrases and pull passwords appear only as ARNs and parameter names', () => {
    const stack = stackFor();
    maximalPipeline(stack);
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).not.toMatch(/"(Passphrase|Password|SecretString|SecretValue)"\s*:/i);
    expect(text).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure/);
    expect(text).toContain('live/srt-0');
    expect(() => new LiveOttPipeline(stackFor(), 'Live', { input: LiveInput.rtmpPull({ urls: ['rtmp://u:p4ss@a.example.com/live/s'] }) })).toThrow(/must not carry credentials/);
  });

  describe('cdk-nag AwsSolutions', () => {
    test('the default pipeline is clean', () => expectNagClean(pipelineStack().stack), 180_000);
    test.each([
      ['MP4 files from S3 (exact keys)', (stack: Stack) => LiveInput.mp4File({
        objects: [{ bucket: encryptedBucket(stack), key: 'loops/main.mp4' }, { bucket: s3.Bucket.fromBucketName(stack, 'Backup', 'live-backup'), key: 'loops/main.mp4' }],
      })],
      ['HLS from S3 (the playlist folder, acknowledged)', () => LiveInput.urlPull({ urls: ['s3ssl://live-sources/events/final/index.m3u8', 's3ssl://live-backup/events/final/index.m3u8'] })],
    ] as Array<[string, (stack: Stack) => LiveInput]>)('a STANDARD pipeline reading %s is clean', (_name, input) => {
      const stack = stackFor();
      new LiveOttPipeline(stack, 'Live', { input: input(stack), channelClass: ChannelClass.STANDARD });
      expectNagClean(stack);
    }, 180_000);
    test('the maximal pipeline is clean', () => {
      const stack = stackFor();
      maximalPipeline(stack);
      expectNagClean(stack);
    }, 180_000);
  });
});

