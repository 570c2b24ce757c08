import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LivePipeline, StaleDetection, StalePlaylistGuard, StalePlaylistGuardProps } from '../../src';
import { guardEnvironment, playlistTypeMetadataHeader, stalePlaylistHeader } from '../../src/stale-playlist-guard/contract/protocol';
import { loadCloudFrontFunction, MAX_FUNCTION_SIZE_BYTES, viewerResponseEvent } from '../harness/cloudfront-function';
import { expectNagClean, nagFindings } from '../harness/nag';

function guardStack(props: Partial<StalePlaylistGuardProps> = {}): { stack: Stack; guard: StalePlaylistGuard; template: Template } {
  const stack = new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
  const guard = new StalePlaylistGuard(stack, 'Origin', { targetDuration: Duration.seconds(6), ...props });
  return { stack, guard, template: Template.fromStack(stack) };
}

function behaviors(template: Template): Array<Record<string, unknown>> {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return distribution.Properties.DistributionConfig.CacheBehaviors;
}

describe('StalePlaylistGuard construct', () => {
  describe('edge detection (default) with two pipelines in one bucket', () => {
    const { stack, guard, template } = guardStack({ pipelines: [LivePipeline.atPrefix('pipeline-a'), LivePipeline.atPrefix('pipeline-b/')] });

    test('creates one private, encrypted, TLS-only bucket that is retained', () => {
      template.resourceCountIs('AWS::S3::Bucket', 1);
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        }),
      });
    });

    test('caches playlists for half a target duration and segments for a day', () => {
      template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 3, MaxTTL: 3, MinTTL: 0 }) });
      template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 86400, MaxTTL: 86400 }) });
    });

    test('runs the edge function at viewer-response on every playlist behavior and on no segment behavior', () => {
      const byPattern = Object.fromEntries(behaviors(template).map((b) => [b.PathPattern, b.FunctionAssociations]));
      expect(Object.keys(byPattern).sort()).toEqual(['*.m3u8', 'pipeline-a/*', 'pipeline-a/*.m3u8', 'pipeline-b/*', 'pipeline-b/*.m3u8']);
      for (const pattern of ['*.m3u8', 'pipeline-a/*.m3u8', 'pipeline-b/*.m3u8']) {
        expect(byPattern[pattern]).toEqual([{ EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/EdgeFunction/), 'FunctionARN'] } }]);
      }
      expect(byPattern['pipeline-a/*']).toBeUndefined();
      expect(byPattern['pipeline-b/*']).toBeUndefined();
    });

    test('ships the edge function as cloudfront-js-2.0 under the 10 KB limit with the threshold filled in', () => {
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(Buffer.byteLength(fn.Properties.FunctionCode)).toBeLessThanOrEqual(MAX_FUNCTION_SIZE_BYTES);
      expect(fn.Properties.FunctionCode).toContain('const CONFIG = {"staleAfterMs":18000,"multivariantPlaylistNames":["master.m3u8"],'
        + `"playlistTypeHeader":"${playlistTypeMetadataHeader}","exemptPlaylistTypes":["vod","event"],"staleHeader":"${stalePlaylistHeader}"};`);
      expect(guard.staleAfterMs).toBe(18000);
    });

    test('the deployed function code turns an 18.001 s old playlist into a 404 and leaves a 17.9 s old one alone', async () => {
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'deployed.js');
      fs.writeFileSync(file, fn.Properties.FunctionCode);
      const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
      const at = (ms: number) => loadCloudFrontFunction(file, { now: Date.parse(lastModified) + ms });
      const event = viewerResponseEvent({ uri: '/pipeline-a/720p.m3u8', statusCode: 200, responseHeaders: { 'Last-Modified': lastModified } });
      expect(await at(18_001).run(event)).toMatchObject({ statusCode: 404 });
      expect(await at(17_900).run(event)).toMatchObject({ statusCode: 200 });
    });

    test('lets CloudFront reach the bucket only through Origin Access Control, with ListBucket so missing keys are 404', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          })]),
        },
      });
      const policy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
      expect(policy).toContain('s3:ListBucket');
      expect(policy).toContain('s3:GetObject');
    });

    test('caches 403 and 404 for one second and serves CORS to any origin', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          CustomErrorResponses: [{ ErrorCode: 403, ErrorCachingMinTTL: 1 }, { ErrorCode: 404, ErrorCachingMinTTL: 1 }],
        }),
      });
      expect(behaviors(template).every((b) => b.ResponseHeadersPolicyId === '60669652-455b-4ae9-85a4-c4c02393f86c')).toBe(true);
    });

    test('deploys no function, queue or notification in edge mode', () => {
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('AWS::SQS::Queue', 0);
      expect(guard.checkFunction).toBeUndefined();
      expect(() => guard.metricDeletions()).toThrow(/origin mode only/);
    });

    test('is cdk-nag AwsSolutions clean and leaves no annotation', () => {
      expectNagClean(stack);
      const annotations = Annotations.fromStack(stack);
      expect([...annotations.findWarning('*', Match.anyValue()), ...annotations.findError('*', Match.anyValue())]).toEqual([]);
    });
  });

  describe('origin detection with two pipelines in the guard\'s bucket', () => {
    const stack = new Stack(new App(), 'Origin', { env: { account: '111111111111', region: 'eu-west-1' } });
    const guard = new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6),
      detection: StaleDetection.ORIGIN,
      pipelines: [LivePipeline.atPrefix('pipeline-a/'), LivePipeline.atPrefix('pipeline-b/')],
      alarms: true,
    });
    const template = Template.fromStack(stack);

    test('delays every playlist event by the threshold in an encrypted, TLS-only queue with a dead-letter queue', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        DelaySeconds: 18,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      template.resourceCountIs('AWS::SQS::Queue', 2);
    });

    test('declares ObjectCreated notifications of .m3u8 keys under each prefix on the bucket itself, no custom resource', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        NotificationConfiguration: {
          QueueConfigurations: ['pipeline-a/', 'pipeline-b/'].map((prefix) => ({
            Event: 's3:ObjectCreated:*',
            Queue: { 'Fn::GetAtt': [Match.stringLikeRegexp('DelayQueue'), 'Arn'] },
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: prefix }, { Name: 'suffix', Value: '.m3u8' }] } },
          })),
        },
      });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: 'sqs:SendMessage', Principal: { Service: 's3.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          })]),
        },
      });
    });

    test('lets the check function only HEAD, GET and DELETE .m3u8 keys under the pipeline prefixes, through the bucket policy', () => {
      const bucketPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
      const allowed = bucketPolicy.filter((statement: { Effect: string; Principal: unknown }) =>
        statement.Effect === 'Allow' && JSON.stringify(statement.Principal).includes('CheckRole'));
      expect(allowed).toHaveLength(2);
      for (const statement of allowed) {
        expect(statement.Action).toEqual(['s3:GetObject', 's3:DeleteObject']);
        expect(JSON.stringify(statement.Resource)).toMatch(/\/pipeline-[ab]\/\*\.m3u8"/);
      }
      const roleStatements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('CheckRole'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      // ListBucket (on the bucket, no object access) makes S3 answer 404 rather than 403 for a missing key
      const s3Actions = roleStatements.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()).filter((a: string) => a.startsWith('s3:'));
      expect(s3Actions).toEqual(['s3:ListBucket']);
    });

    test('denies the check function any unconditional delete in the bucket policy', () => {
      const policy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
      expect(policy).toMatch(/"Effect":"Deny","Principal":\{"AWS":\{"Fn::GetAtt":\["OriginCheckRole[0-9A-F]+","Arn"\]\}\},"Resource":/);
      expect(policy).toContain('"Condition":{"Null":{"s3:if-match":"true"}}');
    });

    test('passes the pipelines, the multiple and the multivariant names to an arm64 Node 24 function', () => {
      const [check] = Object.values(template.findResources('AWS::Lambda::Function'));
      const environment = check.Properties.Environment.Variables;
      expect(environment[guardEnvironment.staleAfterTargetDurations]).toBe('3');
      expect(environment[guardEnvironment.multivariantPlaylistNames]).toBe('master.m3u8');
      expect(JSON.stringify(environment[guardEnvironment.pipelines])).toContain('\\"prefix\\":\\"pipeline-b/\\"');
      expect(check.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', Handler: 'index.handler' });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    });

    test('creates alarms on stale detections and dead-lettered events', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(guard.metricDeletions().metricName).toBe('Deletions');
      expect(guard.metricStaleDetections().dimensions).toEqual({ service: expect.stringMatching(/^stale-playlist-guard-/) });
    });

    test('is cdk-nag AwsSolutions clean, every acknowledgement with a reason', () => {
      expectNagClean(stack);
    });
  });

  test('origin detection on buckets you bring goes through aws-cdk-lib\'s notification custom resource, its one nag finding', () => {
    const stack = new Stack(new App(), 'Adopted', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucketA = new s3.Bucket(stack, 'PipelineA', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    const bucketB = new s3.Bucket(stack, 'PipelineB', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6),
      detection: StaleDetection.ORIGIN,
      pipelines: [LivePipeline.inBucket(bucketA, 'live/'), LivePipeline.inBucket(bucketB, 'live/')],
    });
    const template = Template.fromStack(stack);
    const notifications = JSON.stringify(template.findResources('Custom::S3BucketNotifications'));
    expect(notifications.match(/"Name":"suffix","Value":".m3u8"/g)).toHaveLength(2);
    expect(notifications.match(/"Name":"prefix","Value":"live\/"/g)).toHaveLength(2);
    // the handler's managed policy cannot be acknowledged: aws-cdk-lib rejects IDs with more than one '::'
    expect(nagFindings(stack).map((f) => `${f.rule} ${f.constructPath}`)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\] Adopted\/BucketNotificationsHandler/),
    ]);
  });

  describe('rejects impossible props at synth time', () => {
    test.each<[string, Partial<StalePlaylistGuardProps>, RegExp]>([
      ['a fractional target duration', { targetDuration: Duration.millis(2500) }, /targetDuration must be a whole number of seconds >= 1.*got 2 seconds 500 millis/],
      ['a playlist TTL above half the target duration', { playlistCacheTtl: Duration.seconds(4) }, /playlistCacheTtl must be at most half the target duration \(3 s\), got 4 seconds/],
      ['a threshold a healthy encoder can reach', { staleAfterTargetDurations: 1.5 }, /staleAfterTargetDurations must be at least 2.34 .*got 1.5/],
      ['an origin threshold beyond the SQS delay limit', { detection: StaleDetection.ORIGIN, targetDuration: Duration.seconds(400) }, /at most 900 s in SQS.*1200 s/],
      ['no pipelines', { pipelines: [] }, /pipelines must name at least one location, got \[\]/],
      ['a repeated pipeline', { pipelines: [LivePipeline.atPrefix('a/'), LivePipeline.atPrefix('a')] }, /pipelines must be distinct/],
      ['a wildcard prefix', { pipelines: [LivePipeline.atPrefix('a/*')] }, /pipeline prefixes must be key prefixes like 'pipeline-a\/', got 'a\/\*'/],
    ])('%s', (_name, props, message) => {
      expect(() => guardStack(props)).toThrow(message);
    });
  });
});
