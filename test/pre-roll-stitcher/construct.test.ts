import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PayloadSigning, PreRollStitcher, PreRollStitcherProps, StitchOutputMode } from '../../src';
import { deadlineMarginMs, stitcherLimits, stitcherMemoryBudget } from '../../src/pre-roll-stitcher/contract/defaults';
import { stitcherEnvironment, stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';
import { expectNagClean } from '../harness/nag';

function stitcherStack(props: Partial<PreRollStitcherProps> = {}): { stack: Stack; stitcher: PreRollStitcher; template: Template } {
  const stack = new Stack(new App(), 'Stitch', { env: { account: '111111111111', region: 'eu-west-1' } });
  const stitcher = new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com', '*.ads.example.com'], ...props });
  return { stack, stitcher, template: Template.fromStack(stack) };
}

function environmentOf(template: Template): Record<string, string> {
  const functions = template.findResources('AWS::Lambda::Function');
  const [stitchFunction] = Object.values(functions);
  return stitchFunction.Properties.Environment.Variables;
}

describe('PreRollStitcher construct', () => {
  describe('defaults', () => {
    const { stack, stitcher, template } = stitcherStack();

    test('deploys one arm64 Node 24 function with 512 MiB and 10 s', () => {
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        Handler: 'index.handler',
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      });
    });

    test('passes the allow-list and the limits to the function', () => {
      expect(environmentOf(template)).toMatchObject({
        [stitcherEnvironment.allowedOrigins]: 'vod.example.com,*.ads.example.com',
        [stitcherEnvironment.allowHttp]: 'false',
        [stitcherEnvironment.outputMode]: 'splice',
        [stitcherEnvironment.maxPayloadLength]: '4096',
        [stitcherEnvironment.maxBreaks]: '16',
        [stitcherEnvironment.upstreamTimeoutMs]: '3000',
        [stitcherEnvironment.responseMaxAgeSeconds]: '86400',
      });
    });

    test('exposes the function through a Function URL that requires IAM auth', () => {
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    });

    test('fronts the Function URL with CloudFront through Origin Access Control, GET and HEAD only', () => {
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultCacheBehavior: Match.objectLike({ AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https', Compress: true }),
          Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
        }),
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunctionUrl',
        Principal: 'cloudfront.amazonaws.com',
        SourceArn: Match.anyValue(),
      });
    });

    test('keys the cache on exactly payload, signature, rendition and pod, with a one-day TTL', () => {
      template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: {
          Name: Match.anyValue(),
          Comment: Match.anyValue(),
          DefaultTTL: 86400,
          MaxTTL: 86400,
          MinTTL: 0,
          ParametersInCacheKeyAndForwardedToOrigin: {
            CookiesConfig: { CookieBehavior: 'none' },
            HeadersConfig: { HeaderBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['payload', 'sig', 'r', 'pod'] },
            EnableAcceptEncodingGzip: true,
            EnableAcceptEncodingBrotli: true,
          },
        },
      });
    });

    test('creates a retained signing secret and lets the function read only that secret', () => {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 } }),
      });
      expect(environmentOf(template)[stitcherEnvironment.signingSecretArn]).toEqual({ Ref: expect.stringMatching(/SigningSecret/) });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: Match.stringLikeRegexp('SigningSecret') },
          })]),
        },
      });
    });

    test('grants the function nothing but its own log group and the secret', () => {
      const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const policies = Object.values(template.findResources('AWS::IAM::Policy'));
      const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()).sort();
      expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      expect(statements.map((statement: { Resource: unknown }) => JSON.stringify(statement.Resource))).not.toContain('"*"');
    });

    test('keeps logs for one month in its own log group', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('offers the playback URL base and metrics under the function\'s service dimension', () => {
      expect(stack.resolve(stitcher.playbackUrlBase)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/Distribution/), 'DomainName'] }]] });
      const metric = stitcher.metricSkippedBreaks();
      expect(metric.namespace).toBe(stitcherMetrics.namespace);
      expect(metric.metricName).toBe('SkippedBreaks');
      expect(metric.dimensions).toEqual({ service: environmentOf(template).POWERTOOLS_SERVICE_NAME });
      expect(stitcher.metricStitchErrors().metricName).toBe('StitchErrors');
    });

    test('is cdk-nag AwsSolutions clean, every acknowledgement with a reason', () => {
      expectNagClean(stack);
    });

    test('leaves no warning or error annotation for the user to wonder about', () => {
      const annotations = Annotations.fromStack(stack);
      expect([...annotations.findWarning('*', Match.anyValue()), ...annotations.findError('*', Match.anyValue())]).toEqual([]);
    });
  });

  test('brings your own signing secret and grants a backend read access to it', () => {
    const stack = new Stack(new App(), 'Byo', { env: { account: '111111111111', region: 'eu-west-1' } });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Existing', 'shared/stitcher-key');
    const stitcher = new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'], signing: PayloadSigning.fromSecret(secret) });
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    stitcher.grantReadSigningSecret(backend);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(environmentOf(template)[stitcherEnvironment.signingSecretArn])).toContain('shared/stitcher-key');
    expectNagClean(stack);
  });

  test('unsigned payloads leave the secret out entirely', () => {
    const { template, stitcher } = stitcherStack({ signing: PayloadSigning.unsigned() });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(environmentOf(template)[stitcherEnvironment.signingSecretArn]).toBe('');
    expect(() => stitcher.grantReadSigningSecret(new iam.AnyPrincipal())).toThrow(/signs nothing/);
  });

  test('passes overrides: interstitials, date ranges, limits, TTL, memory', () => {
    const { template } = stitcherStack({
      outputMode: StitchOutputMode.INTERSTITIALS,
      dateRangeMarkers: true,
      maxBreaks: 4,
      cacheTtl: Duration.hours(6),
      upstreamTimeout: Duration.seconds(2),
      allowInsecureHttp: true,
      functionOptions: { memorySize: 1024 },
    });
    expect(environmentOf(template)).toMatchObject({
      [stitcherEnvironment.outputMode]: 'interstitials',
      [stitcherEnvironment.dateRangeMarkers]: 'true',
      [stitcherEnvironment.maxBreaks]: '4',
      [stitcherEnvironment.upstreamTimeoutMs]: '2000',
      [stitcherEnvironment.allowHttp]: 'true',
      [stitcherEnvironment.responseMaxAgeSeconds]: '21600',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024 });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 21600, MaxTTL: 21600 }) });
  });

  test('with a custom domain, logs and WAF it enforces TLS 1.2 and needs no acknowledgement for them', () => {
    const stack = new Stack(new App(), 'Domain', { env: { account: '111111111111', region: 'us-east-1' } });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const logs = new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true });
    const stitcher = new PreRollStitcher(stack, 'Stitcher', {
      allowedOrigins: ['vod.example.com'],
      domainNames: ['ads.example.com'],
      certificate,
      accessLogBucket: logs,
      webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/stitcher/abc',
    });
    expect(stitcher.playbackUrlBase).toBe('https://ads.example.com');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['ads.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        Logging: Match.objectLike({ Prefix: 'pre-roll-stitcher/' }),
        WebACLId: Match.anyValue(),
      }),
    });
  });

  test('joins an existing distribution under a path prefix', () => {
    const stack = new Stack(new App(), 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
    const existing = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('www.example.com') } });
    const stitcher = new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com'], existingDistribution: existing, pathPrefix: '/stitch/' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ CacheBehaviors: [Match.objectLike({ PathPattern: '/stitch/*', AllowedMethods: ['GET', 'HEAD'] })] }),
    });
    expect(environmentOf(template)[stitcherEnvironment.pathPrefix]).toBe('/stitch');
    expect(stack.resolve(stitcher.playbackUrlBase)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/Site/), 'DomainName'] }, '/stitch']] });
  });

  describe('rejects impossible props at synth time', () => {
    test.each<[string, Partial<PreRollStitcherProps>, RegExp]>([
      ['an empty allow-list', { allowedOrigins: [] }, /allowedOrigins must name at least one host.*got \[\]/],
      ['a URL in the allow-list', { allowedOrigins: ['https://vod.example.com/'] }, /allowedOrigins must be host names.*got 'https:\/\/vod.example.com\/'/],
      ['a wildcard with a port', { allowedOrigins: ['*.example.com:8443'] }, /\*\.domain \(without a port\), got '\*\.example\.com:8443'/],
      ['a fractional break limit', { maxBreaks: 1.5 }, /maxBreaks must be an integer >= 0, got 1.5/],
      ['a tiny payload limit', { maxPayloadLength: 10 }, /maxPayloadLength must be an integer >= 64, got 10/],
      ['an upstream timeout beyond the function timeout', { upstreamTimeout: Duration.seconds(12) }, /upstreamTimeout \(12 seconds\) must be shorter than the function timeout \(10 seconds\)/],
      ['a domain without certificate', { domainNames: ['ads.example.com'] }, /domainNames and certificate go together/],
      ['a malformed path prefix', { pathPrefix: 'stitch' }, /pathPrefix must be a path like '\/stitch', got 'stitch'/],
      ['a memory size the worst accepted request does not fit', { functionOptions: { memorySize: 256 } },
        /functionOptions\.memorySize \(256 MiB\) is too small for maxUpstreamPlaylistSize and upstreamCacheSize: 48 MiB baseline \+ 32 MiB upstreamCacheSize \+ 3 playlists x 4 MiB maxUpstreamPlaylistSize x 24 bytes parsed per byte = 368 MiB of heap, which needs memorySize >= 421 MiB/],
      ['playlists too large for the default memory', { maxUpstreamPlaylistSize: Size.mebibytes(8) },
        /functionOptions\.memorySize \(512 MiB\) is too small .* 3 playlists x 8 MiB maxUpstreamPlaylistSize .* needs memorySize >= 750 MiB/],
    ])('%s', (_name, props, message) => {
      expect(() => stitcherStack(props)).toThrow(message);
    });

    test('accepts larger playlists with the memory they need', () => {
      const maxUpstreamPlaylistSize = Size.mebibytes(8);
      const { minimumMemorySizeMiB } = stitcherMemoryBudget({
        maxUpstreamBytes: maxUpstreamPlaylistSize.toBytes(), upstreamCacheBytes: stitcherLimits.upstreamCacheBytes.default,
      });
      expect(() => stitcherStack({ maxUpstreamPlaylistSize, functionOptions: { memorySize: minimumMemorySizeMiB } })).not.toThrow();
      expect(() => stitcherStack({ maxUpstreamPlaylistSize, functionOptions: { memorySize: minimumMemorySizeMiB - 1 } })).toThrow(/too small/);
    });
  });

  describe('request deadline', () => {
    test('is the function timeout minus the margin, passed to the handler', () => {
      const deadlineOf = (template: Template) => environmentOf(template)[stitcherEnvironment.requestDeadlineMs];
      expect(deadlineOf(stitcherStack().template)).toBe(String(10_000 - deadlineMarginMs));
      const longer = stitcherStack({ functionOptions: { timeout: Duration.seconds(20) } }).template;
      expect(deadlineOf(longer)).toBe(String(20_000 - deadlineMarginMs));
    });
  });
});
