import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LivePipeline, StaleDetection, StalePlaylistGuard, StalePlaylistGuardProps } from '../../src';
import {
  exemptPlaylistTypes, guardEnvironment, pipelineHeartbeatKey, playlistTypeMetadataHeader, stalePlaylistHeader,
} from '../../src/stale-playlist-guard/contract/protocol';
import { isSafeThreshold } from '../../src/stale-playlist-guard/contract/staleness';
import { pathPatternToRegExp } from '../harness/cdn-stand-in';
import { loadCloudFrontFunction, MAX_FUNCTION_SIZE_BYTES, viewerResponseEvent } from '../harness/cloudfront-function';
import { expectNagClean, nagAcknowledgements } from '../harness/nag';

function guardStack(props: Partial<StalePlaylistGuardProps> = {}): { stack: Stack; guard: StalePlaylistGuard; template: Template } {
  const stack = new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
  const guard = new StalePlaylistGuard(stack, 'Origin', { targetDuration: Duration.seconds(6), ...props });
  return { stack, guard, template: Template.fromStack(stack) };
}

/** The `.m3u8` spellings a statement's object resources end in, sorted. */
function playlistSuffixesOf(resource: unknown): string[] {
  return (Array.isArray(resource) ? resource : [resource]).map((arn) => /\*(\.[mM]3[uU]8)"/.exec(JSON.stringify(arn))![1]).sort();
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

    test('runs the edge function on the pipelines\' playlist behaviors (.m3u8 in any letter case) only, never on the catch-all or segments', () => {
      const byPattern = Object.fromEntries(behaviors(template).map((b) => [b.PathPattern, b.FunctionAssociations]));
      expect(Object.keys(byPattern)).toEqual(['pipeline-a/*.?3?8', 'pipeline-a/*', 'pipeline-b/*.?3?8', 'pipeline-b/*', '*.?3?8']);
      for (const pattern of ['pipeline-a/*.?3?8', 'pipeline-b/*.?3?8']) {
        expect(byPattern[pattern]).toEqual([{ EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/EdgeFunction/), 'FunctionARN'] } }]);
      }
      for (const pattern of ['pipeline-a/*', 'pipeline-b/*', '*.?3?8']) expect(byPattern[pattern]).toBeUndefined();
      // CloudFront's `?` is one character: every letter case of .m3u8 reaches the playlist behavior, a segment does not
      const playlistPattern = pathPatternToRegExp('pipeline-a/*.?3?8');
      for (const key of ['pipeline-a/720p/index.m3u8', 'pipeline-a/720p/INDEX.M3U8', 'pipeline-a/720p/index.M3u8', 'pipeline-a/720p/index.m3U8']) {
        expect(playlistPattern.test(key)).toBe(true);
      }
      expect(playlistPattern.test('pipeline-a/720p/seg_1.ts')).toBe(false);
    });

    test('ships the edge function as cloudfront-js-2.0 under the 10 KB limit, its rule rendered from the contract', () => {
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(Buffer.byteLength(fn.Properties.FunctionCode)).toBeLessThanOrEqual(MAX_FUNCTION_SIZE_BYTES);
      expect(fn.Properties.FunctionCode).toContain(`const CONFIG = ${JSON.stringify({
        staleAfterMs: 18000,
        playlistTypeHeader: playlistTypeMetadataHeader,
        exemptPlaylistTypes,
        staleHeader: stalePlaylistHeader,
        pipelinePrefixes: ['pipeline-a/', 'pipeline-b/'],
        heartbeatKeys: [pipelineHeartbeatKey(0), pipelineHeartbeatKey(1)],
        heartbeatFreshMs: 17000,
      })}; // StalePlaylistGuard:config`);
      expect(guard.staleAfterMs).toBe(18000);
    });

    test('associates a KeyValueStore with the function; the marker may only describe it and put keys in it, every 5 s per pipeline', () => {
      template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
      const [storeId] = Object.keys(template.findResources('AWS::CloudFront::KeyValueStore'));
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      expect(fn.Properties.FunctionConfig.KeyValueStoreAssociations).toEqual([{ KeyValueStoreARN: { 'Fn::GetAtt': [storeId, 'Arn'] } }]);
      const [marker] = Object.values(template.findResources('AWS::Lambda::Function'))
        .filter((f) => f.Properties.Description === 'lambda-src/stale-playlist-guard/mark.lambda.ts');
      expect(marker.Properties.Environment.Variables).toMatchObject({
        [guardEnvironment.heartbeatStoreArn]: { 'Fn::GetAtt': [storeId, 'Arn'] }, [guardEnvironment.heartbeatIntervalMs]: '5000',
      });
      const kvsStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: { Action: string | string[] }) => JSON.stringify(statement.Action).includes('cloudfront-keyvaluestore'));
      expect(kvsStatements).toEqual([{
        Effect: 'Allow', Action: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:PutKey'], Resource: { 'Fn::GetAtt': [storeId, 'Arn'] },
      }]);
      expect(guard.heartbeatStore).toBeDefined();
    });

    test('marks playlists with a marker function on ObjectCreated of .m3u8 keys in every letter case under each prefix', () => {
      const notifications = JSON.stringify(template.findResources('Custom::S3BucketNotifications'));
      for (const prefix of ['pipeline-a/', 'pipeline-b/']) {
        for (const suffix of ['.m3u8', '.M3U8', '.M3u8', '.m3U8']) {
          expect(notifications).toContain(`{"Key":{"FilterRules":[{"Name":"suffix","Value":"${suffix}"},{"Name":"prefix","Value":"${prefix}"}]}}`);
        }
      }
      const functions = Object.values(template.findResources('AWS::Lambda::Function'))
        .filter((fn) => fn.Properties.Description === 'lambda-src/stale-playlist-guard/mark.lambda.ts');
      expect(functions).toHaveLength(1);
      expect(functions[0].Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/MarkerDeadLetterQueue/), 'Arn'] } } });
      expect(guard.markerFunction).toBeDefined();
    });

    test('lets the marker only read playlists and copy them onto themselves with new metadata', () => {
      const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement
        .filter((statement: { Principal: unknown }) => JSON.stringify(statement.Principal).includes('MarkerRole'));
      const actions = statements.map((statement: { Action: string }) => statement.Action).sort();
      expect(actions).toEqual(['s3:GetObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:PutObject']);
      for (const statement of statements.filter((s: { Action: string }) => s.Action === 's3:PutObject')) {
        expect(statement.Condition.StringEquals).toEqual({ 's3:x-amz-metadata-directive': 'REPLACE' });
        expect(playlistSuffixesOf(statement.Resource)).toEqual(['.M3U8', '.M3u8', '.m3U8', '.m3u8']);
      }
    });

    test('sends playlists with Cache-Control: no-cache (browsers always ask again) and CORS for any origin', () => {
      template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: Match.objectLike({
          CustomHeadersConfig: { Items: [{ Header: 'Cache-Control', Value: 'no-cache', Override: true }] },
          CorsConfig: Match.objectLike({ AccessControlAllowOrigins: { Items: ['*'] } }),
        }),
      });
    });

    test('the deployed function code turns an 18.001 s old playlist into a 404 while pipeline B is healthy, and leaves a 17.9 s old one alone', async () => {
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'deployed.js');
      fs.writeFileSync(file, fn.Properties.FunctionCode);
      const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
      const at = (ms: number, heartbeatAgeMs: number) => loadCloudFrontFunction(file, {
        now: Date.parse(lastModified) + ms, keyValueStore: { [pipelineHeartbeatKey(1)]: String(Date.parse(lastModified) + ms - heartbeatAgeMs) },
      });
      const event = viewerResponseEvent({ uri: '/pipeline-a/720p.m3u8', statusCode: 200, responseHeaders: { 'Last-Modified': lastModified } });
      expect(await at(18_001, 17_000).run(event)).toMatchObject({ statusCode: 404 });
      expect(await at(17_900, 0).run(event)).toMatchObject({ statusCode: 200 });
      // B's heartbeat a millisecond past 17 s (threshold less S3's one-second granularity): no healthy pipeline, served
      expect(await at(18_001, 17_001).run(event)).toMatchObject({ statusCode: 200, headers: { [stalePlaylistHeader]: { value: 'age=18s; served: no healthy pipeline' } } });
      // mixed-case playlists reach the behavior (`*.?3?8`) and are judged; anything else the pattern takes passes untouched
      const response = { statusCode: 200, responseHeaders: { 'Last-Modified': lastModified, 'ETag': '"e"' } };
      expect(await at(18_001, 0).run(viewerResponseEvent({ uri: '/pipeline-a/720p.M3u8', ...response }))).toMatchObject({ statusCode: 404 });
      expect(await at(18_001, 0).run(viewerResponseEvent({ uri: '/pipeline-a/720p.m3U8', ...response }))).toMatchObject({ statusCode: 404 });
      expect(await at(18_001, 0).run(viewerResponseEvent({ uri: '/pipeline-a/720p.a3b8', ...response })))
        .toMatchObject({ statusCode: 200, headers: { 'etag': { value: '"e"' }, 'last-modified': { value: lastModified } } });
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

    test('caches 403 and 404 for one second; segments get the managed CORS policy', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          CustomErrorResponses: [{ ErrorCode: 403, ErrorCachingMinTTL: 1 }, { ErrorCode: 404, ErrorCachingMinTTL: 1 }],
        }),
      });
      expect(behaviors(template).filter((b) => !String(b.PathPattern).endsWith('.?3?8'))
        .every((b) => b.ResponseHeadersPolicyId === '60669652-455b-4ae9-85a4-c4c02393f86c')).toBe(true);
    });

    test('deploys no check function or delay queue in edge mode; the metrics API says which mode has which metric', () => {
      template.resourceCountIs('AWS::SQS::Queue', 1); // the marker's dead-letter queue
      expect(guard.checkFunction).toBeUndefined();
      expect(guard.detection).toBe(StaleDetection.EDGE);
      expect(() => guard.metricDeletions()).toThrow('metric Deletions exists in origin mode only: this guard uses detection: StaleDetection.EDGE');
      expect(() => guard.metricStaleDetections()).toThrow(/origin mode only/);
      expect(() => guard.metricSkips()).toThrow(/origin mode only/);
      expect(guard.metricPlaylistsMarked().metricName).toBe('PlaylistsMarked');
      expect(guard.metricHeartbeatFailures().metricName).toBe('HeartbeatFailures');
      expect(guard.metricErrorRate().metricName).toBe('4xxErrorRate');
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
          QueueConfigurations: ['pipeline-a/', 'pipeline-b/'].flatMap((prefix) => ['.m3u8', '.M3U8', '.M3u8', '.m3U8'].map((suffix) => ({
            Event: 's3:ObjectCreated:*',
            Queue: { 'Fn::GetAtt': [Match.stringLikeRegexp('DelayQueue'), 'Arn'] },
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: prefix }, { Name: 'suffix', Value: suffix }] } },
          }))),
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

    test('lets the check function only read playlists, delete them with If-Match, and list, through the bucket policy', () => {
      const bucketPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
      const allowed = bucketPolicy.filter((statement: { Effect: string; Principal: unknown }) =>
        statement.Effect === 'Allow' && JSON.stringify(statement.Principal).includes('CheckRole'));
      expect(allowed.map((statement: { Action: string }) => statement.Action).sort()).toEqual([
        's3:DeleteObject', 's3:DeleteObject', 's3:GetObject', 's3:GetObject', 's3:ListBucket',
      ]);
      for (const statement of allowed.filter((s: { Action: string }) => s.Action !== 's3:ListBucket')) {
        expect(playlistSuffixesOf(statement.Resource)).toEqual(['.M3U8', '.M3u8', '.m3U8', '.m3u8']);
        if (statement.Action === 's3:DeleteObject') expect(statement.Condition).toEqual({ Null: { 's3:if-match': 'false' } });
      }
      const roleStatements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('CheckRole'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(roleStatements.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()).filter((a: string) => a.startsWith('s3:'))).toEqual([]);
    });

    test('denies the check function any unconditional delete in the bucket policy', () => {
      const policy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
      expect(policy).toMatch(/"Effect":"Deny","Principal":\{"AWS":\{"Fn::GetAtt":\["OriginCheckRole[0-9A-F]+","Arn"\]\}\},"Resource":/);
      expect(policy).toContain('"Condition":{"Null":{"s3:if-match":"true"}}');
    });

    test('passes the pipelines and the multiple (no name list) to an arm64 Node 24 function', () => {
      const [check] = Object.values(template.findResources('AWS::Lambda::Function'));
      const environment = check.Properties.Environment.Variables;
      expect(environment[guardEnvironment.staleAfterTargetDurations]).toBe('3');
      expect(Object.keys(environment).sort()).toEqual([guardEnvironment.pipelines, guardEnvironment.staleAfterTargetDurations, 'AWS_NODEJS_CONNECTION_REUSE_ENABLED', 'POWERTOOLS_SERVICE_NAME'].sort());
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

  describe.each([StaleDetection.ORIGIN, StaleDetection.EDGE])('%s detection on buckets you bring (imported by name, as MediaLive\'s)', (detection) => {
    const stack = new Stack(new App(), 'Imported', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucketA = s3.Bucket.fromBucketName(stack, 'PipelineA', 'medialive-pipeline-a');
    const bucketB = s3.Bucket.fromBucketName(stack, 'PipelineB', 'medialive-pipeline-b');
    const guard = new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6),
      detection,
      pipelines: [LivePipeline.inBucket(bucketA, 'pipeline-a/'), LivePipeline.inBucket(bucketB, 'pipeline-b/')],
    });
    const template = Template.fromStack(stack);

    test('synthesizes on aws-cdk-lib 2.268 and is cdk-nag AwsSolutions clean, each acknowledgement exactly one finding', () => {
      expect(guard.buckets).toHaveLength(2);
      expectNagClean(stack);
      const acknowledged = nagAcknowledgements(stack).map((ack) => ack.rule);
      expect(acknowledged).toContain('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]');
      expect(acknowledged).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::medialive-pipeline-a/pipeline-a/*.m3u8]');
      expect(acknowledged.filter((rule) => rule === 'AwsSolutions-IAM5')).toEqual([]); // never a whole rule
    });

    test('outputs, per bucket, the exact statements its owner must add: CloudFront read and list (and the delete guard)', () => {
      const outputs = template.findOutputs('*');
      const required = Object.values(outputs).map((output) => JSON.stringify(stack.resolve(output.Value)));
      expect(required).toHaveLength(2);
      const forA = required.find((text) => text.includes('medialive-pipeline-a'))!;
      expect(forA).toContain('cloudfront.amazonaws.com');
      expect(forA).toContain('s3:GetObject');
      expect(forA).toContain('s3:ListBucket');
      expect(forA).toContain('AWS:SourceArn');
      expect(forA).toContain('pipeline-a/*');
      if (detection === StaleDetection.ORIGIN) expect(forA).toContain('\\"Null\\":{\\"s3:if-match\\":\\"true\\"}');
    });

    test('puts what the bucket policy would have said into the role: deletes only with If-Match', () => {
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement) as Array<{ Action: string; Condition?: unknown }>;
      const deletes = statements.filter((statement) => statement.Action === 's3:DeleteObject');
      if (detection === StaleDetection.ORIGIN) {
        expect(deletes).toHaveLength(2); // one per pipeline, naming every letter case of .m3u8
        expect(deletes.every((statement) => JSON.stringify(statement.Condition) === '{"Null":{"s3:if-match":"false"}}')).toBe(true);
      } else {
        expect(deletes).toEqual([]);
        const puts = statements.filter((statement) => statement.Action === 's3:PutObject');
        expect(puts).toHaveLength(2);
        expect(puts.every((statement) => JSON.stringify(statement.Condition).includes('"s3:x-amz-metadata-directive":"REPLACE"'))).toBe(true);
      }
    });
  });

  describe('key-prefix pipelines: two pipelines in one folder under different base filenames (MediaLive\'s redundant HLS layout)', () => {
    const stack = new Stack(new App(), 'KeyPrefix', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Output', { enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'the test\'s own bucket: its access logging is the bucket owner\'s choice' });
    const guard = new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6),
      pipelines: [LivePipeline.inBucketAtKeyPrefix(bucket, 'live/channel-a'), LivePipeline.inBucketAtKeyPrefix(bucket, 'live/channel-b')],
    });
    const template = Template.fromStack(stack);
    const keyPrefixes = ['live/channel-a', 'live/channel-b'];

    test('keeps each key prefix as written: playlist and segment behaviors per base filename, the function configured with them', () => {
      const byPattern = Object.fromEntries(behaviors(template).map((b) => [b.PathPattern, b.FunctionAssociations]));
      expect(Object.keys(byPattern)).toEqual(['live/channel-a*.?3?8', 'live/channel-a*', 'live/channel-b*.?3?8', 'live/channel-b*', '*.?3?8']);
      expect(byPattern['live/channel-a*.?3?8']).toBeDefined();
      expect(byPattern['live/channel-a*']).toBeUndefined();
      const playlistPattern = pathPatternToRegExp('live/channel-a*.?3?8');
      expect(playlistPattern.test('live/channel-a.m3u8')).toBe(true); // the main manifest: judged, passed once marked
      expect(playlistPattern.test('live/channel-a-video_1280x720_2700k.m3u8')).toBe(true);
      expect(playlistPattern.test('live/channel-b-video_1280x720_2700k.m3u8')).toBe(false);
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      expect(fn.Properties.FunctionCode).toContain(`"pipelinePrefixes":${JSON.stringify(keyPrefixes)}`);
      expect(guard.heartbeatStore).toBeDefined();
    });

    test('the deployed function fails over a stale pipeline-A playlist while B beats, and never B\'s while A does not', async () => {
      const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'deployed.js');
      fs.writeFileSync(file, fn.Properties.FunctionCode);
      const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
      const now = Date.parse(lastModified) + 18_001;
      // A stopped 18 s ago (no heartbeat since), B beat a second ago
      const heartbeats = { [pipelineHeartbeatKey(0)]: String(now - 18_001), [pipelineHeartbeatKey(1)]: String(now - 1000) };
      const guardAt = loadCloudFrontFunction(file, { now, keyValueStore: heartbeats });
      const stale = (uri: string) => viewerResponseEvent({ uri, statusCode: 200, responseHeaders: { 'Last-Modified': lastModified } });
      expect(await guardAt.run(stale('/live/channel-a-video_1280x720_2700k.m3u8'))).toMatchObject({ statusCode: 404 });
      // a B playlist this old would be served: A, the only other pipeline, is not healthy
      expect(await guardAt.run(stale('/live/channel-b-video_1280x720_2700k.m3u8')))
        .toMatchObject({ statusCode: 200, headers: { [stalePlaylistHeader]: { value: 'age=18s; served: no healthy pipeline' } } });
    });

    test('the marker\'s notifications and copy grants are limited to the key prefixes; cdk-nag clean', () => {
      const notifications = JSON.stringify(template.findResources('Custom::S3BucketNotifications'));
      for (const prefix of keyPrefixes) {
        expect(notifications).toContain(`{"Key":{"FilterRules":[{"Name":"suffix","Value":".m3u8"},{"Name":"prefix","Value":"${prefix}"}]}}`);
      }
      const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement as Array<Record<string, any>>;
      const marker = statements.filter((statement) => JSON.stringify(statement.Principal).includes('MarkerRole') && statement.Action === 's3:PutObject');
      expect(marker.map((statement) => statement.Condition.StringLike['s3:x-amz-copy-source'][0]['Fn::Join'][1].at(-1))).toEqual(keyPrefixes.map((prefix) => `/${prefix}*`));
      expectNagClean(stack);
    });
  });

  test('origin mode with key-prefix pipelines: S3 notifies the delay queue of each base filename\'s playlists, the check is configured with them', () => {
    const { template, stack } = guardStack({
      detection: StaleDetection.ORIGIN, pipelines: [LivePipeline.atKeyPrefix('live/channel-a'), LivePipeline.atKeyPrefix('live/channel-b')],
    });
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket'));
    type QueueConfiguration = { Filter: { S3Key: { Rules: Array<{ Name: string; Value: string }> } } };
    const configurations = bucket.Properties.NotificationConfiguration.QueueConfigurations as QueueConfiguration[];
    const rules = configurations.map((configuration) => configuration.Filter.S3Key.Rules[0]);
    expect(new Set(rules.map((rule) => rule.Value))).toEqual(new Set(['live/channel-a', 'live/channel-b']));
    const check = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Description === 'lambda-src/stale-playlist-guard/check.lambda.ts')!;
    const pipelines = stack.resolve(check.Properties.Environment.Variables[guardEnvironment.pipelines])['Fn::Join'][1] as unknown[];
    const configured = JSON.parse(pipelines.map((part) => (typeof part === 'string' ? part : 'bucket')).join(''));
    expect(configured).toEqual([{ bucket: 'bucket', prefix: 'live/channel-a' }, { bucket: 'bucket', prefix: 'live/channel-b' }]);
  });

  test('folders keep their meaning: atPrefix(\'pipeline-a\') owns \'pipeline-a/\', atKeyPrefix(\'pipeline-a\') also owns \'pipeline-ab/\'', () => {
    const patterns = (pipeline: LivePipeline) => behaviors(guardStack({ pipelines: [pipeline] }).template).map((b) => b.PathPattern);
    expect(patterns(LivePipeline.atPrefix('pipeline-a'))).toEqual(['pipeline-a/*.?3?8', 'pipeline-a/*', '*.?3?8']);
    expect(patterns(LivePipeline.atKeyPrefix('pipeline-a'))).toEqual(['pipeline-a*.?3?8', 'pipeline-a*', '*.?3?8']);
    expect(patterns(LivePipeline.atKeyPrefix('live/'))).toEqual(['live/*.?3?8', 'live/*', '*.?3?8']);
  });

  test.each<[string, LivePipeline[], string | RegExp]>([
    ['key prefixes where one starts with the other', [LivePipeline.atKeyPrefix('live/ch'), LivePipeline.atKeyPrefix('live/ch-b')],
      "pipelines 1 and 2 overlap in one bucket: 'live/ch-b' starts with 'live/ch', so both would own its keys and S3 refuses overlapping notification filters"],
    ['a folder inside another pipeline\'s folder', [LivePipeline.atPrefix('live/backup/'), LivePipeline.atPrefix('live/')],
      "pipelines 1 and 2 overlap in one bucket: 'live/backup/' starts with 'live/'"],
    ['the bucket root next to a folder', [LivePipeline.atPrefix(''), LivePipeline.atPrefix('b/')], "pipelines 1 and 2 overlap in one bucket: 'b/' starts with ''"],
    ['a key prefix that a folder extends', [LivePipeline.atPrefix('x/'), LivePipeline.atKeyPrefix('live'), LivePipeline.atPrefix('live/b')],
      "pipelines 2 and 3 overlap in one bucket: 'live/b/' starts with 'live'"],
    ['an empty key prefix', [LivePipeline.atKeyPrefix('')], /pipeline key prefixes must be non-empty key prefixes like 'live\/channel-a'.*got ''/],
    ['a key prefix with an empty path segment', [LivePipeline.atKeyPrefix('live//a')], /pipeline key prefixes must be .*got 'live\/\/a'/],
    ['a wildcard key prefix', [LivePipeline.atKeyPrefix('live/a*')], /pipeline key prefixes must be .*got 'live\/a\*'/],
  ])('refuses %s at synth time, naming both', (_name, pipelines, message) => {
    expect(() => guardStack({ pipelines })).toThrow(message);
  });

  test('nested prefixes in two buckets go by the longest match: CloudFront\'s behaviors, the function and the marker agree', async () => {
    const stack = new Stack(new App(), 'Nested', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucketA = s3.Bucket.fromBucketName(stack, 'A', 'bucket-a');
    const bucketB = s3.Bucket.fromBucketName(stack, 'B', 'bucket-b');
    new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6), pipelines: [LivePipeline.inBucket(bucketA, ''), LivePipeline.inBucket(bucketB, 'backup/')],
    });
    const template = Template.fromStack(stack);
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution.Properties.DistributionConfig;
    const originOf = (id: string) => (config.Origins as Array<{ Id: string; DomainName: unknown }>).find((origin) => origin.Id === id)!.DomainName;
    const routed = (config.CacheBehaviors as Array<{ PathPattern: string; TargetOriginId: string }>)
      .map((behavior) => [behavior.PathPattern, JSON.stringify(originOf(behavior.TargetOriginId))]);
    // longest pattern first: /backup/... reaches bucket B, every other playlist bucket A (judged as its pipeline)
    expect(routed.map(([pattern]) => pattern)).toEqual(['backup/*.?3?8', 'backup/*', '*.?3?8']);
    expect(routed[0][1]).toContain('bucket-b');
    expect(routed[2][1]).toContain('bucket-a');
    expect(JSON.stringify(originOf(config.DefaultCacheBehavior.TargetOriginId))).toContain('bucket-a');
    // the function judges /backup/... as pipeline 2: its stale playlist fails over while pipeline 1 beats, and vice versa
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'deployed.js');
    fs.writeFileSync(file, fn.Properties.FunctionCode);
    const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
    const now = Date.parse(lastModified) + 18_001;
    const stale = (uri: string) => viewerResponseEvent({ uri, statusCode: 200, responseHeaders: { 'Last-Modified': lastModified } });
    const onlyRootBeats = loadCloudFrontFunction(file, { now, keyValueStore: { [pipelineHeartbeatKey(0)]: String(now - 1000) } });
    expect(await onlyRootBeats.run(stale('/backup/720p.m3u8'))).toMatchObject({ statusCode: 404 });
    expect(await onlyRootBeats.run(stale('/720p.m3u8'))).toMatchObject({ statusCode: 200 });
  });

  test('two pipelines under the same prefix in two buckets are refused: CloudFront could reach only one of them', () => {
    const stack = new Stack(new App(), 'SamePrefix', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucketA = s3.Bucket.fromBucketName(stack, 'A', 'bucket-a');
    const bucketB = s3.Bucket.fromBucketName(stack, 'B', 'bucket-b');
    expect(() => new StalePlaylistGuard(stack, 'Origin', {
      targetDuration: Duration.seconds(6),
      pipelines: [LivePipeline.inBucket(bucketA, 'live/'), LivePipeline.inBucket(bucketB, 'live/')],
    })).toThrow("pipelines 1 and 2 share the prefix 'live/' in different buckets: CloudFront serves one bucket per path");
  });

  test('edge mode with one pipeline: no KeyValueStore, no heartbeats, and the function never answers 404 (nothing to fail over to)', async () => {
    const { template, guard } = guardStack();
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    expect(fn.Properties.FunctionConfig.KeyValueStoreAssociations).toBeUndefined();
    expect(guard.heartbeatStore).toBeUndefined();
    const [marker] = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Description === 'lambda-src/stale-playlist-guard/mark.lambda.ts');
    expect(Object.keys(marker.Properties.Environment.Variables)).not.toContain(guardEnvironment.heartbeatStoreArn);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'one.js');
    fs.writeFileSync(file, fn.Properties.FunctionCode);
    const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
    // no store passed: the function would throw if it asked for one
    const day = loadCloudFrontFunction(file, { now: Date.parse(lastModified) + 86_400_000 });
    const event = viewerResponseEvent({ uri: '/720p.m3u8', statusCode: 200, responseHeaders: { 'Last-Modified': lastModified } });
    expect(await day.run(event)).toMatchObject({ statusCode: 200, headers: { [stalePlaylistHeader]: { value: 'age=86400s; served: no healthy pipeline' } } });
  });

  test('alarms on heartbeats the KeyValueStore did not take (edge mode, two pipelines)', () => {
    const { template } = guardStack({ alarms: true, pipelines: [LivePipeline.atPrefix('a/'), LivePipeline.atPrefix('b/')] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HeartbeatFailures', Threshold: 1 });
  });

  describe('cache behaviors per distribution', () => {
    const prefixes = (count: number) => Array.from({ length: count }, (_, i) => LivePipeline.atPrefix(`p${i}/`));

    test('12 pipelines with prefixes need 25 behaviors: within the default quota of 25, and the template has exactly that many', () => {
      expect(behaviors(guardStack({ pipelines: prefixes(12) }).template)).toHaveLength(25);
    });

    test('13 pipelines need 27: refused at synth time, naming the count, the pipelines and the quota', () => {
      expect(() => guardStack({ pipelines: prefixes(13) })).toThrow(
        `pipelines: 13 pipelines (${Array.from({ length: 13 }, (_, i) => `'p${i}/'`).join(', ')}) need 27 cache behaviors on one distribution, more than the quota of 25`,
      );
    });

    test('a raised quota (cacheBehaviorQuota) lets them through; a nonsensical one is refused', () => {
      expect(behaviors(guardStack({ pipelines: prefixes(13), cacheBehaviorQuota: 27 }).template)).toHaveLength(27);
      expect(() => guardStack({ cacheBehaviorQuota: 0 })).toThrow('cacheBehaviorQuota must be a whole number >= 1, got 0');
    });
  });

  describe('target durations', () => {
    test.each([1, 2, 3, 5, 6, 7, 10])('TD %i s synthesizes with whole-second TTLs and a safe default threshold', (td) => {
      const { template, guard } = guardStack({ targetDuration: Duration.seconds(td) });
      const ttl = Math.floor(td / 2);
      if (ttl > 0) template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: ttl, MaxTTL: ttl }) });
      // TD 1 s: a zero TTL, CloudFront's managed CachingDisabled policy on the playlists (every request revalidated with S3)
      else expect(behaviors(template).find((b) => b.PathPattern === '*.?3?8')!.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(isSafeThreshold(td, guard.staleAfterTargetDurations, ttl * 1000)).toBe(true);
      expect(guard.staleAfterTargetDurations).toBe(td <= 2 ? 3.5 : 3);
    });
  });

  describe('rejects impossible props at synth time', () => {
    test.each<[string, Partial<StalePlaylistGuardProps>, RegExp]>([
      ['a fractional target duration', { targetDuration: Duration.millis(2500) }, /targetDuration must be a whole number of seconds >= 1.*got 2 seconds 500 millis/],
      ['a playlist TTL above half the target duration', { playlistCacheTtl: Duration.seconds(4) }, /playlistCacheTtl must be at most half the target duration \(3 s\), got 4 seconds/],
      ['a threshold a healthy encoder can reach', { staleAfterTargetDurations: 1.5 }, /staleAfterTargetDurations must be at least 3 for a target duration of 6 s .*got 1.5/],
      ['an infinite threshold', { staleAfterTargetDurations: Infinity }, /staleAfterTargetDurations must be a finite number > 0, got Infinity/],
      ['a NaN threshold', { staleAfterTargetDurations: NaN }, /staleAfterTargetDurations must be a finite number > 0, got NaN/],
      ['a playlist TTL of a fraction of a second', { playlistCacheTtl: Duration.millis(1500) }, /playlistCacheTtl must be whole seconds \(CloudFront TTLs are\), got 1 second 500 millis/],
      ['an origin threshold beyond the SQS delay limit', { detection: StaleDetection.ORIGIN, targetDuration: Duration.seconds(400) }, /at most 900 s in SQS.*1200 s/],
      ['no pipelines', { pipelines: [] }, /pipelines must name at least one location, got \[\]/],
      ['a repeated pipeline', { pipelines: [LivePipeline.atPrefix('a/'), LivePipeline.atPrefix('a')] }, /pipelines must be distinct/],
      ['a wildcard prefix', { pipelines: [LivePipeline.atPrefix('a/*')] }, /pipeline prefixes must be key prefixes like 'pipeline-a\/'.*got 'a\/\*'/],
    ])('%s', (_name, props, message) => {
      expect(() => guardStack(props)).toThrow(message);
    });
  });
});
