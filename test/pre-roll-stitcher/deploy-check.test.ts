import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PreRollStitcher, PreRollStitcherProps, StitchOutputMode } from '../../src';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment, distributionArn, templateDistributionArn } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

/** Props whose values are constructs of the stack under test (a certificate, a log bucket...). */
type PropsNeedingStack<Props> = (stack: Stack) => Partial<Props>;

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const anotherDistribution = distributionArn('EANOTHERDISTRO');
const anotherSecret = `arn:aws:secretsmanager:${env.region}:${env.account}:secret:someone-else-AbCdEf`;

/** The requests the stitcher's running system makes, and the ones it must be refused. */
function stitcherIamRows(stitcher: PreRollStitcher): IamDecisionRow[] {
  const cloudfrontService = { service: 'cloudfront.amazonaws.com' } as const;
  const stitchFunction = { logicalId: logicalIdOf(stitcher.stitchFunction) };
  const sourceArn = templateDistributionArn(logicalIdOf(stitcher.distribution));
  const role = { role: logicalIdOf(stitcher.stitchFunction.role!) };
  const viaUrl = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' }; // what a call through the (AWS_IAM) Function URL carries
  return [
    { name: 'CloudFront (this distribution) -> lambda:InvokeFunctionUrl', request: { principal: cloudfrontService, action: 'lambda:InvokeFunctionUrl', resource: stitchFunction, context: { 'aws:SourceArn': sourceArn, ...viaUrl } }, expect: 'allow' },
    {
      name: 'CloudFront (this distribution) -> lambda:InvokeFunction via the URL',
      request: { principal: cloudfrontService, action: 'lambda:InvokeFunction', resource: stitchFunction, context: { 'aws:SourceArn': sourceArn, 'lambda:InvokedViaFunctionUrl': 'true' } },
      expect: 'allow',
    },
    { name: 'CloudFront (another distribution) -> lambda:InvokeFunctionUrl', request: { principal: cloudfrontService, action: 'lambda:InvokeFunctionUrl', resource: stitchFunction, context: { 'aws:SourceArn': anotherDistribution, ...viaUrl } }, expect: 'deny' },
    {
      name: 'CloudFront (another distribution) -> lambda:InvokeFunction via the URL',
      request: { principal: cloudfrontService, action: 'lambda:InvokeFunction', resource: stitchFunction, context: { 'aws:SourceArn': anotherDistribution, 'lambda:InvokedViaFunctionUrl': 'true' } },
      expect: 'deny',
    },
    { name: 'anonymous -> lambda:InvokeFunctionUrl', request: { principal: 'anonymous', action: 'lambda:InvokeFunctionUrl', resource: stitchFunction, context: viaUrl }, expect: 'deny' },
    ...(stitcher.signingSecret ? [
      { name: 'stitcher role -> its signing secret', request: { principal: role, action: 'secretsmanager:GetSecretValue', resource: { logicalId: logicalIdOf(stitcher.signingSecret) } }, expect: 'allow' as const },
      { name: 'anonymous -> the signing secret', request: { principal: 'anonymous' as const, action: 'secretsmanager:GetSecretValue', resource: { logicalId: logicalIdOf(stitcher.signingSecret) } }, expect: 'deny' as const },
    ] : []),
    { name: 'stitcher role -> another secret', request: { principal: role, action: 'secretsmanager:GetSecretValue', resource: { arn: anotherSecret } }, expect: 'deny' },
  ];
}

function stitcherTarget(name: string, props: Partial<PreRollStitcherProps>, build?: PropsNeedingStack<PreRollStitcherProps>): DeployCheckTarget {
  const stack = new Stack(new App(), 'Stitch', { env });
  const stitcher = new PreRollStitcher(stack, 'Stitcher', { allowedOrigins: ['vod.example.com', '*.ads.example.com'], ...props, ...build?.(stack) });
  return { name, stack, iam: stitcherIamRows(stitcher) };
}

describeDeployCheck('PreRollStitcher', () => [
  stitcherTarget('default props', {}),
  stitcherTarget('maximal props', {
    outputMode: StitchOutputMode.INTERSTITIALS,
    dateRangeMarkers: true,
    allowInsecureHttp: true,
    maxPayloadLength: 8192,
    maxBreaks: 4,
    upstreamTimeout: Duration.seconds(2),
    maxUpstreamPlaylistSize: Size.mebibytes(8),
    upstreamCacheTtl: Duration.minutes(1),
    upstreamCacheSize: Size.mebibytes(64),
    cacheTtl: Duration.hours(6),
    functionOptions: { memorySize: 1024 },
    domainNames: ['ads.example.com'],
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/stitcher/abc',
  }, (stack) => ({
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
    accessLogBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true }),
  })),
  stitcherTarget('existing distribution under a path prefix', { pathPrefix: '/stitch' }, (stack) => ({
    existingDistribution: new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('www.example.com') } }),
  })),
]);
