import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ChannelClass, LiveInput, LiveOttPipeline, SourceEndBehavior, SrtEncryption } from '../../src';

const stackWith = () => new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
const cidrs = ['203.0.113.0/24'];
const flow = (n: number) => `arn:aws:mediaconnect:eu-west-1:111111111111:flow:1-abc${n}:source-${n}`;

/** One factory per input type, with `n` entries per pipeline. */
const inputs: Record<string, (n: number, stack: Stack) => LiveInput> = {
  RTP_PUSH: () => LiveInput.rtpPush({ allowedCidrs: cidrs }),
  RTMP_PUSH: (n) => LiveInput.rtmpPush({ allowedCidrs: cidrs, streamNames: ['live/main', 'live/backup'].slice(0, n) }),
  RTMP_PULL: (n) => LiveInput.rtmpPull({ urls: ['rtmp://a.example.com/live/s', 'rtmp://b.example.com/live/s'].slice(0, n) }),
  URL_PULL: (n) => LiveInput.urlPull({ urls: ['https://a.example.com/index.m3u8', 'https://b.example.com/index.m3u8'].slice(0, n) }),
  MP4_FILE: (n) => LiveInput.mp4File({ urls: ['https://a.example.com/loop.mp4', 'https://b.example.com/loop.mp4'].slice(0, n) }),
  TS_FILE: (n) => LiveInput.tsFile({ urls: ['https://a.example.com/loop.ts', 'https://b.example.com/loop.ts'].slice(0, n), sourceEndBehavior: SourceEndBehavior.CONTINUE }),
  MEDIACONNECT: (n) => LiveInput.mediaConnect({ flowArns: [flow(1), flow(2)].slice(0, n) }),
  INPUT_DEVICE: (n) => LiveInput.inputDevice({ deviceIds: ['hd-0123456789abcdef01234567', 'hd-76543210fedcba9876543210'].slice(0, n) }),
  SRT_CALLER: (n) => LiveInput.srtCaller({ sources: [{ address: '198.51.100.7', port: 5000 }, { address: '198.51.100.8', port: 5000 }].slice(0, n) }),
  SRT_LISTENER: (_n, stack) => LiveInput.srtListener({
    allowedCidrs: cidrs,
    decryption: { algorithm: SrtEncryption.AES256, passphrase: secretsmanager.Secret.fromSecretNameV2(stack, 'Passphrase', 'srt/passphrase') },
  }),
};
const pipelinesOf = (channelClass: ChannelClass) => (channelClass === ChannelClass.STANDARD ? 2 : 1);
const pushTypes = ['RTP_PUSH', 'RTMP_PUSH', 'SRT_LISTENER'];
const classes = [ChannelClass.STANDARD, ChannelClass.SINGLE_PIPELINE];

describe('LiveOttPipeline inputs', () => {
  describe.each(classes)('%s channel', (channelClass) => {
    test.each(Object.keys(inputs))('%s: one input with one source per pipeline, attached to the channel', (type) => {
      const stack = stackWith();
      const pipeline = new LiveOttPipeline(stack, 'Live', { input: inputs[type](pipelinesOf(channelClass), stack), channelClass });
      const template = Template.fromStack(stack);
      const input = Object.values(template.findResources('AWS::MediaLive::Input'))[0].Properties;
      expect(input.Type).toBe(type);
      const perPipeline = input.Sources ?? input.MediaConnectFlows ?? input.InputDevices ?? input.SrtSettings?.SrtCallerSources ?? input.Destinations;
      if (type !== 'SRT_LISTENER') expect(perPipeline).toHaveLength(pipelinesOf(channelClass));
      template.hasResourceProperties('AWS::MediaLive::Channel', {
        ChannelClass: channelClass,
        InputAttachments: [Match.objectLike({ InputId: { Ref: Match.stringLikeRegexp('^LiveInput') } })],
      });
      if (pushTypes.includes(type)) {
        template.hasResourceProperties('AWS::MediaLive::InputSecurityGroup', { WhitelistRules: [{ Cidr: '203.0.113.0/24' }] });
        expect(input.InputSecurityGroups).toEqual([{ Ref: expect.stringMatching(/^LiveInputSecurityGroup/) }]);
        expect(pipeline.ingestEndpoints).toHaveLength(pipelinesOf(channelClass));
      } else {
        template.resourceCountIs('AWS::MediaLive::InputSecurityGroup', 0);
        expect(input.InputSecurityGroups).toBeUndefined();
        expect(pipeline.ingestEndpoints).toEqual([]);
      }
    });

    test.each(Object.keys(inputs).filter((type) => !['RTP_PUSH', 'SRT_LISTENER'].includes(type)))(
      '%s with the other class\'s source count is refused, naming the prop and the values', (type) => {
        const stack = stackWith();
        const wrong = channelClass === ChannelClass.STANDARD ? 1 : 2;
        expect(() => new LiveOttPipeline(stack, 'Live', { input: inputs[type](wrong, stack), channelClass }))
          .toThrow(new RegExp(`^input ${type}: \\w+ must hold ${pipelinesOf(channelClass)} .* for a ${channelClass} channel, got ${wrong}: \\[`));
      });
  });

  test('RTP push gets one MediaLive-assigned endpoint per pipeline', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.rtpPush({ allowedCidrs: cidrs }), channelClass: ChannelClass.STANDARD });
    Template.fromStack(stack).hasResourceProperties('AWS::MediaLive::Input', { Type: 'RTP_PUSH', Destinations: [{}, {}] });
  });

  test('RTMP push destinations carry the stream names, and the ingest endpoints come from the input', () => {
    const stack = stackWith();
    const pipeline = new LiveOttPipeline(stack, 'Live', {
      input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24', '198.51.100.0/28'], streamNames: ['live/main', 'live/backup'] }),
      channelClass: ChannelClass.STANDARD,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { Destinations: [{ StreamName: 'live/main' }, { StreamName: 'live/backup' }] });
    template.hasResourceProperties('AWS::MediaLive::InputSecurityGroup', { WhitelistRules: [{ Cidr: '203.0.113.0/24' }, { Cidr: '198.51.100.0/28' }] });
    expect(stack.resolve(pipeline.ingestEndpoints[1])).toEqual({ 'Fn::Select': [1, { 'Fn::GetAtt': [expect.stringMatching(/^LiveInput/), 'Destinations'] }] });
  });

  test('file inputs set the source-end behavior on the attachment, LOOP by default', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.mp4File({ urls: ['https://a.example.com/loop.mp4'] }) });
    Template.fromStack(stack).hasResourceProperties('AWS::MediaLive::Channel', { InputAttachments: [Match.objectLike({ InputSettings: { SourceEndBehavior: 'LOOP' } })] });
    const other = stackWith();
    new LiveOttPipeline(other, 'Live', { input: inputs.TS_FILE(1, other) });
    Template.fromStack(other).hasResourceProperties('AWS::MediaLive::Channel', { InputAttachments: [Match.objectLike({ InputSettings: { SourceEndBehavior: 'CONTINUE' } })] });
  });

  test('pull credentials put only the SSM parameter name in the template and let the channel role read that parameter', () => {
    const stack = stackWith();
    const password = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Password', { parameterName: '/live/source-password' });
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.urlPull({ urls: ['https://a.example.com/index.m3u8'], credentials: { username: 'encoder', password } }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { Sources: [{ Url: 'https://a.example.com/index.m3u8', Username: 'encoder', PasswordParam: '/live/source-password' }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssm:GetParameters']), Resource: Match.anyValue() })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^LiveChannelRole') }],
    });
  });

  test('SRT settings: caller sources with port as text and latency in ms, listener with its decryption secret granted', () => {
    const stack = stackWith();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Passphrase', 'srt/passphrase');
    new LiveOttPipeline(stack, 'Live', {
      input: LiveInput.srtCaller({ sources: [{ address: 'srt.example.com', port: 9000, streamId: 'main', minimumLatency: Duration.millis(500), decryption: { algorithm: SrtEncryption.AES128, passphrase: secret } }] }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', {
      SrtSettings: { SrtCallerSources: [{ SrtListenerAddress: 'srt.example.com', SrtListenerPort: '9000', StreamId: 'main', MinimumLatency: 500, Decryption: { Algorithm: 'AES128', PassphraseSecretArn: Match.anyValue() } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^LiveChannelRole') }],
    });
  });

  test('MediaConnect: the input names the channel role, which may manage outputs on exactly those flows, granted before the input exists', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', { input: inputs.MEDIACONNECT(2, stack), channelClass: ChannelClass.STANDARD });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LiveChannelRole'), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Sid: 'ManageOutputsOnTheInputFlows', Effect: 'Allow', Action: ['mediaconnect:ManagedDescribeFlow', 'mediaconnect:ManagedAddOutput', 'mediaconnect:ManagedRemoveOutput'], Resource: [flow(1), flow(2)] }]) },
    });
    const [input] = Object.values(template.findResources('AWS::MediaLive::Input'));
    expect(input.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^LiveChannelRoleDefaultPolicy/)]));
  });

  describe('refusals', () => {
    const refuse = (input: () => LiveInput, message: RegExp) => expect(() => new LiveOttPipeline(stackWith(), 'Live', { input: input() })).toThrow(message);

    test('UDP push is refused with the way forward (RTP push)', () => {
      expect(() => LiveInput.udpPush({ allowedCidrs: cidrs })).toThrow(/^input: UDP_PUSH .* is not supported by MediaLive.*LiveInput\.rtpPush\(\{ allowedCidrs \}\) and send to rtp:\/\//);
    });
    test('push inputs need at least one CIDR', () => refuse(() => LiveInput.rtpPush({ allowedCidrs: [] }), /^input RTP_PUSH: allowedCidrs must name at least one network allowed to push, got \[\]$/));
    test.each(['203.0.113.0', '203.0.113.0/33', '256.0.0.0/8', 'any', '2001:db8::/32'])('a CIDR like %s is refused', (cidr) => {
      refuse(() => LiveInput.rtpPush({ allowedCidrs: [cidr] }), new RegExp(`allowedCidrs must be IPv4 CIDR blocks like '203.0.113.0/24', got '${cidr.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`));
    });
    test('a CIDR with host bits names the network it meant', () => refuse(() => LiveInput.rtpPush({ allowedCidrs: ['203.0.113.7/24'] }), /got '203\.0\.113\.7\/24' \(did you mean '203\.0\.113\.0\/24'\?\)/));
    test.each(['live', 'live/main/extra', 'live/ma in', '/main'])('an RTMP stream name like %s is refused', (name) => {
      refuse(() => LiveInput.rtmpPush({ allowedCidrs: cidrs, streamNames: [name] }), /streamNames must be 'application\/instance'/);
    });
    test('identical RTMP stream names are refused', () => {
      expect(() => new LiveOttPipeline(stackWith(), 'Live', { input: LiveInput.rtmpPush({ allowedCidrs: cidrs, streamNames: ['live/a', 'live/a'] }), channelClass: ChannelClass.STANDARD }))
        .toThrow(/streamNames must differ per pipeline, got \["live\/a","live\/a"\]/);
    });
    test.each([
      ['URL_PULL', () => LiveInput.urlPull({ urls: ['rtmp://a.example.com/live'] }), /input URL_PULL: urls must be http:\/\/, https:\/\/, s3ssl:\/\/ or s3:\/\/ URLs, got 'rtmp:\/\/a\.example\.com\/live'/],
      ['RTMP_PULL', () => LiveInput.rtmpPull({ urls: ['https://a.example.com/live'] }), /input RTMP_PULL: urls must be rtmp:\/\/ URLs/],
      ['RTMP_PULL from S3', () => LiveInput.rtmpPull({ urls: ['s3ssl://live-sources/a.mp4'] }), /input RTMP_PULL: urls must be rtmp:\/\/ URLs, got 's3ssl:\/\/live-sources\/a\.mp4'/],
      ['MP4_FILE', () => LiveInput.mp4File({ urls: ['not a url'] }), /input MP4_FILE: urls must be http:\/\/, https:\/\/, s3ssl:\/\/ or s3:\/\/ URLs, got 'not a url'/],
    ])('%s with a URL of the wrong kind is refused', (_type, input, message) => refuse(input, message));
    test('credentials inside a URL are refused (they would be in the template)', () => {
      refuse(() => LiveInput.urlPull({ urls: ['https://user:hunter2@a.example.com/index.m3u8'] }), /must not carry credentials .*user:\*\*\*@a\.example\.com/);
    });
    test('a MediaConnect value that is not a flow ARN is refused', () => refuse(() => LiveInput.mediaConnect({ flowArns: ['my-flow'] }), /flowArns must be MediaConnect flow ARNs .*got 'my-flow'/));
    test('a device id that is not a Link id is refused', () => refuse(() => LiveInput.inputDevice({ deviceIds: ['link 1'] }), /deviceIds must be Link device ids \('hd-\.\.\.'\), got 'link 1'/));
    test('SRT ports and latencies out of range are refused', () => {
      refuse(() => LiveInput.srtCaller({ sources: [{ address: 'srt.example.com', port: 70000 }] }), /sources\[\]\.port must be an integer 1-65535, got 70000/);
      refuse(() => LiveInput.srtCaller({ sources: [{ address: 'srt.example.com', port: 9000, minimumLatency: Duration.millis(50) }] }), /minimumLatency must be 120 ms to 15000 ms, got 50 ms/);
    });
  });
});

describe('LiveOttPipeline inputs from S3', () => {
  /** The channel role's statement that reads source objects. */
  const readStatement = (template: Template) => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('LiveChannelRole'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    return statements.filter((statement) => statement.Sid === 'ReadTheSourceObjects');
  };
  const s3Action = (template: Template) => Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
    .flatMap((statement) => [].concat(statement.Action)).filter((action: string) => action.startsWith('s3:'));

  test('MP4 objects: s3ssl:// URLs built from the bucket, and the role may GetObject exactly those keys (no ListBucket, no other key)', () => {
    const stack = stackWith();
    const bucket = new s3.Bucket(stack, 'Sources');
    new LiveOttPipeline(stack, 'Live', {
      channelClass: ChannelClass.STANDARD,
      input: LiveInput.mp4File({ objects: [{ bucket, key: 'loops/main.mp4' }, { bucket, key: 'loops/backup.mp4' }] }),
    });
    const template = Template.fromStack(stack);
    const bucketRef = { Ref: Match.stringLikeRegexp('^Sources') };
    template.hasResourceProperties('AWS::MediaLive::Input', {
      Type: 'MP4_FILE',
      Sources: [{ Url: { 'Fn::Join': ['', ['s3ssl://', bucketRef, '/loops/main.mp4']] } }, { Url: { 'Fn::Join': ['', ['s3ssl://', bucketRef, '/loops/backup.mp4']] } }],
    });
    const objectArn = (key: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Sources/), 'Arn'] }, key]] });
    expect(readStatement(template)).toEqual([{ Sid: 'ReadTheSourceObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: [objectArn('/loops/main.mp4'), objectArn('/loops/backup.mp4')] }]);
    expect(s3Action(template)).toEqual(['s3:GetObject']);
  });

  test('TS objects in a KMS-encrypted bucket: the role may also decrypt with that key', () => {
    const stack = stackWith();
    const encryptionKey = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000000');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Sources', { bucketName: 'live-sources', encryptionKey });
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.tsFile({ objects: [{ bucket, key: 'loops/main.m2ts' }] }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { Type: 'TS_FILE', Sources: [{ Url: 's3ssl://live-sources/loops/main.m2ts' }] });
    expect(readStatement(template)).toEqual([{ Sid: 'ReadTheSourceObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::live-sources/loops/main.m2ts']] } }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000000' })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^LiveChannelRole') }],
    });
  });

  test('s3ssl:// and s3:// URLs are written as given, and the role may GetObject exactly the objects they name', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', {
      channelClass: ChannelClass.STANDARD,
      input: LiveInput.mp4File({ urls: ['s3ssl://live-sources/loops/main.mp4', 's3://live-backup/loops/main.mp4'] }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { Sources: [{ Url: 's3ssl://live-sources/loops/main.mp4' }, { Url: 's3://live-backup/loops/main.mp4' }] });
    const arn = (path: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${path}`]] });
    expect(readStatement(template)).toEqual([{ Sid: 'ReadTheSourceObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: [arn('live-sources/loops/main.mp4'), arn('live-backup/loops/main.mp4')] }]);
  });

  test('HLS from S3: the role may read the objects under each playlist\'s folder (variants and segments), nothing above it', () => {
    const stack = stackWith();
    const bucket = s3.Bucket.fromBucketName(stack, 'Sources', 'live-sources');
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.urlPull({ objects: [{ bucket, key: 'events/final/index.m3u8' }] }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MediaLive::Input', { Type: 'URL_PULL', Sources: [{ Url: 's3ssl://live-sources/events/final/index.m3u8' }] });
    expect(readStatement(template)).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::live-sources/events/final/*']] } })]);
  });

  test('HLS from S3 with the playlist at the top of the bucket: the role may read the bucket\'s objects, nothing of other buckets', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.urlPull({ urls: ['s3ssl://live-sources/index.m3u8'] }) });
    expect(readStatement(Template.fromStack(stack))).toEqual([expect.objectContaining({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::live-sources/*']] } })]);
  });

  test('HTTP sources grant no S3 access', () => {
    const stack = stackWith();
    new LiveOttPipeline(stack, 'Live', { input: LiveInput.mp4File({ urls: ['https://a.example.com/loop.mp4'] }) });
    expect(s3Action(Template.fromStack(stack))).toEqual([]);
  });

  describe('refusals', () => {
    const refuse = (input: (stack: Stack) => LiveInput, message: RegExp) => {
      const stack = stackWith();
      expect(() => new LiveOttPipeline(stack, 'Live', { input: input(stack) })).toThrow(message);
    };
    const named = (stack: Stack, name = 'live-sources') => s3.Bucket.fromBucketName(stack, name, name);

    test('urls and objects together, or neither, are refused', () => {
      refuse((stack) => LiveInput.mp4File({ urls: ['https://a.example.com/a.mp4'], objects: [{ bucket: named(stack), key: 'a.mp4' }] }), /^input MP4_FILE: set exactly one of urls and objects, got both$/);
      refuse(() => LiveInput.urlPull({}), /^input URL_PULL: set exactly one of urls and objects, got neither$/);
    });
    test('the other class\'s object count is refused, naming objects', () => {
      refuse((stack) => LiveInput.tsFile({ objects: [{ bucket: named(stack), key: 'a.ts' }, { bucket: named(stack, 'live-backup'), key: 'a.ts' }] }),
        /^input TS_FILE: objects must hold 1 entry for a SINGLE_PIPELINE channel, got 2: \["s3ssl:\/\/live-sources\/a\.ts","s3ssl:\/\/live-backup\/a\.ts"\]$/);
    });
    test('a bucket name with dots is refused (MediaLive cannot read such buckets), as an object or a URL', () => {
      refuse((stack) => LiveInput.mp4File({ objects: [{ bucket: named(stack, 'live.sources'), key: 'a.mp4' }] }),
        /^input MP4_FILE: objects\[0\]: the bucket name must not contain dots \(MediaLive cannot read from such buckets\), got 'live\.sources'$/);
      refuse(() => LiveInput.mp4File({ urls: ['s3ssl://live.sources/a.mp4'] }), /^input MP4_FILE: urls\[0\] 's3ssl:\/\/live\.sources\/a\.mp4': the bucket name must not contain dots/);
    });
    test.each([
      ['MP4_FILE', (stack: Stack) => LiveInput.mp4File({ objects: [{ bucket: named(stack), key: 'loops/a.mov' }] }), /objects\[0\]: the key must end in \.mp4, got 'loops\/a\.mov'/],
      ['TS_FILE', () => LiveInput.tsFile({ urls: ['s3ssl://live-sources/loops/a.mp4'] }), /urls\[0\] 's3ssl:\/\/live-sources\/loops\/a\.mp4': the key must end in \.ts or \.m2ts, got 'loops\/a\.mp4'/],
      ['URL_PULL', (stack: Stack) => LiveInput.urlPull({ objects: [{ bucket: named(stack), key: 'events/index.mpd' }] }), /objects\[0\]: the key must end in \.m3u8, got 'events\/index\.mpd'/],
    ])('%s: a key with the wrong file type is refused', (_type, input, message) => refuse(input, message));
    test.each([
      ['s3ssl://live-sources', /urls\[0\] 's3ssl:\/\/live-sources': S3 sources must be written s3ssl:\/\/<bucket>\/<key>$/],
      ['S3SSL://live-sources/a.mp4', /urls\[0\] 'S3SSL:\/\/live-sources\/a\.mp4': S3 sources must be written s3ssl:\/\/<bucket>\/<key>$/],
      ['s3ssl://Live_Sources/a.mp4', /the bucket name must be 3-63 lowercase letters, digits and hyphens.*got 'Live_Sources'/],
      ['s3ssl://live-sources//a.mp4', /the key must be an object key without a leading slash, got '\/a\.mp4'/],
      ['s3ssl://live-sources/loops/*.mp4', /the key must not contain \* or \? .*got 'loops\/\*\.mp4'/],
    ])('a malformed S3 URL like %s is refused', (url, message) => refuse(() => LiveInput.mp4File({ urls: [url] }), message));
    test('credentials with an S3 source are refused (the channel role reads S3)', () => {
      const password = (stack: Stack) => ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Password', { parameterName: '/live/p' });
      refuse((stack) => LiveInput.urlPull({ urls: ['s3ssl://live-sources/index.m3u8'], credentials: { username: 'u', password: password(stack) } }),
        /^input URL_PULL: credentials are for HTTP\(S\) sources, and S3 sources are read with the channel role; got credentials with 's3ssl:\/\/live-sources\/index\.m3u8'$/);
      refuse((stack) => LiveInput.urlPull({ objects: [{ bucket: named(stack), key: 'index.m3u8' }], credentials: { username: 'u', password: password(stack) } }), /got credentials with objects$/);
    });
  });
});
