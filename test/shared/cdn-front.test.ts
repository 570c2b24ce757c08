import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CdnFront, CdnFrontProps, normalizePathPrefix } from '../../src/shared/cdn-front';
import { FunctionUrlOacOrigin } from '../../src/shared/function-url-origin';
import { expectNagClean, nagAcknowledgements } from '../harness/nag';

function front(props: Partial<CdnFrontProps> = {}): { stack: Stack; front: CdnFront; template: Template } {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const built = new CdnFront(stack, { comment: 'Test: media', logFilePrefix: 'test/', defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com') }, ...props });
  return { stack, front: built, template: Template.fromStack(stack) };
}

describe('CdnFront', () => {
  test('a new distribution: HTTP/2 and 3, no logging, and every finding a missing setting leaves acknowledged with a reason', () => {
    const { stack, front: built, template } = front();
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Comment: 'Test: media', HttpVersion: 'http2and3', Logging: Match.absent(), WebACLId: Match.absent() }),
    });
    const acknowledged = nagAcknowledgements(stack).map((ack) => ack.rule);
    for (const rule of ['CFR1', 'CFR2', 'CFR3', 'CFR4']) expect(acknowledged).toContainEqual(expect.stringContaining(`AwsSolutions-${rule}`));
    expectNagClean(stack);
    expect(stack.resolve(built.urlBase)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.any(String), 'DomainName'] }]] });
  });

  test('every setting reaches the distribution and withdraws the acknowledgement it makes unnecessary', () => {
    const stack0 = new Stack(new App(), 'Deps', { env: { account: '111111111111', region: 'us-east-1' } });
    const certificate = acm.Certificate.fromCertificateArn(stack0, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const logs = s3.Bucket.fromBucketName(stack0, 'Logs', 'access-logs');
    const { stack, front: built, template } = front({
      domainNames: ['live.example.com'],
      certificate,
      webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1',
      accessLogBucket: logs,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['live.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
        WebACLId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1',
        Logging: Match.objectLike({ Prefix: 'test/' }),
        PriceClass: 'PriceClass_100',
        Restrictions: { GeoRestriction: { Locations: ['DE', 'FR'], RestrictionType: 'whitelist' } },
      }),
    });
    expect(nagAcknowledgements(stack)).toEqual([]);
    expect(built.urlBase).toBe('https://live.example.com');
  });

  test('an existing distribution gets the behaviors under the path prefix', () => {
    const stack = new Stack(new App(), 'S');
    const existing = new cloudfront.Distribution(stack, 'Existing', { defaultBehavior: { origin: new origins.HttpOrigin('site.example.com') } });
    const built = new CdnFront(stack, {
      comment: 'unused',
      logFilePrefix: 'unused/',
      existingDistribution: existing,
      pathPrefix: '/stitch',
      defaultBehavior: { origin: new origins.HttpOrigin('a.example.com') },
      additionalBehaviors: { '*.m3u8': { origin: new origins.HttpOrigin('b.example.com') } },
    });
    const config = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(config.CacheBehaviors.map((behavior: { PathPattern: string }) => behavior.PathPattern).sort()).toEqual(['/stitch/*', '/stitch/*.m3u8']);
    expect(built.distribution).toBe(existing);
    Template.fromStack(stack).resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  test.each([
    [{ existingDistribution: 'x' }, 'pathPrefix is required with existingDistribution'],
    [{ existingDistribution: 'x', pathPrefix: '/p', webAclId: 'arn', priceClass: cloudfront.PriceClass.PRICE_CLASS_100 }, 'webAclId, priceClass configure a new distribution'],
    [{ domainNames: ['a.example.com'] }, 'domainNames and certificate go together, got domainNames=["a.example.com"] and no certificate'],
  ])('refuses %j', (partial, message) => {
    const stack = new Stack(new App(), 'S');
    const props: Record<string, unknown> = { ...partial };
    if (props.existingDistribution) {
      props.existingDistribution = new cloudfront.Distribution(stack, 'Existing', { defaultBehavior: { origin: new origins.HttpOrigin('site.example.com') } });
    }
    expect(() => new CdnFront(stack, { comment: 'c', logFilePrefix: 'p/', defaultBehavior: { origin: new origins.HttpOrigin('o.example.com') }, ...props }))
      .toThrow(message);
  });

  test('refuses POST to a Function URL behind Origin Access Control (CloudFront cannot sign the body)', () => {
    const stack = new Stack(new App(), 'S');
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=1') });
    const origin = new FunctionUrlOacOrigin(stack, 'Origin', fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM }));
    expect(() => new CdnFront(stack, { comment: 'c', logFilePrefix: 'p/', defaultBehavior: { origin: origin.origin, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL } }))
      .toThrow("behavior 'default' sends GET/HEAD/OPTIONS/PUT/PATCH/POST/DELETE to a Function URL behind Origin Access Control");
  });
});

describe('normalizePathPrefix', () => {
  test.each([[undefined, ''], ['', ''], ['/', ''], ['/stitch', '/stitch'], ['/a/b/', '/a/b']])('%j -> %j', (input, expected) => {
    expect(normalizePathPrefix('pathPrefix', input)).toBe(expected);
  });
  test.each(['stitch', '/a b', '/a//b', '/*'])('refuses %j, naming the prop', (input) => {
    expect(() => normalizePathPrefix('pathPrefix', input)).toThrow(`pathPrefix must be a path like '/stitch', got '${input}'`);
  });
});
