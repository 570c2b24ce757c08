import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ChannelClass, ChannelLogLevel, EncodingProfile, HlsAdMarkers, LiveInput, LiveOttPipeline, LiveOttPipelineProps, MediaPackageV1Endpoint, Packaging, SrtEncryption, VideoCodec } from '../../src';

/** A pipeline in its own stack, with its template. */
export interface PipelineStack {
  readonly stack: Stack;
  readonly pipeline: LiveOttPipeline;
  readonly template: Template;
}

/** The input the tests use when the input is not what they test. */
export const defaultTestInput = (): LiveInput => LiveInput.urlPull({ urls: ['https://source.example.com/live/index.m3u8'] });

/** Synthesizes `LiveOttPipeline` with `props` over a single-pipeline HLS pull input. */
export function pipelineStack(props: Partial<LiveOttPipelineProps> = {}): PipelineStack {
  const stack = new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: defaultTestInput(), ...props });
  return { stack, pipeline, template: Template.fromStack(stack) };
}

/** The only resource of `type` in `template`: its properties. */
export function onlyResource(template: Template, type: string): Record<string, any> {
  const resources = Object.values(template.findResources(type));
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  return resources[0].Properties;
}

/** The largest pipeline: two pipelines, 1080p HEVC, SRT with an encrypted source, every distribution setting, start-over, LL-HLS. */
export function maximalPipeline(stack: Stack): LiveOttPipeline {
  return new LiveOttPipeline(stack, 'Live', maximalProps(stack));
}

/** The largest MediaPackage v1 pipeline: the maximal pipeline's props with v1 packaging and every v1 endpoint. */
export function largestV1Pipeline(stack: Stack, overrides: Partial<LiveOttPipelineProps> = {}): LiveOttPipeline {
  return new LiveOttPipeline(stack, 'Live', {
    ...maximalProps(stack),
    ...overrides,
    packaging: Packaging.mediaPackageV1({
      endpoints: [MediaPackageV1Endpoint.HLS, MediaPackageV1Endpoint.DASH, MediaPackageV1Endpoint.CMAF, MediaPackageV1Endpoint.MSS],
      startoverWindow: Duration.hours(24),
      manifestWindow: Duration.minutes(2),
      adMarkers: HlsAdMarkers.SCTE35_ENHANCED,
    }),
  });
}

function maximalProps(stack: Stack): LiveOttPipelineProps {
  return {
    channelClass: ChannelClass.STANDARD,
    input: LiveInput.srtCaller({
      sources: [0, 1].map((index) => ({
        address: `srt${index}.example.com`,
        port: 9000 + index,
        streamId: `feed-${index}`,
        minimumLatency: Duration.millis(2000),
        decryption: { algorithm: SrtEncryption.AES256, passphrase: secretsmanager.Secret.fromSecretNameV2(stack, `Passphrase${index}`, `live/srt-${index}`) },
      })),
    }),
    encoding: EncodingProfile.hd1080p({ codec: VideoCodec.HEVC }),
    segmentLength: Duration.seconds(6),
    logLevel: ChannelLogLevel.INFO,
    packaging: Packaging.mediaPackageV2({
      startoverWindow: Duration.hours(24),
      manifestWindow: Duration.minutes(2),
      adMarkers: HlsAdMarkers.SCTE35_ENHANCED,
      lowLatencyHls: true,
    }),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
    accessLogBucket: s3.Bucket.fromBucketName(stack, 'AccessLogs', 'live-access-logs'),
    domainNames: ['live.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/live/abc',
  };
}
