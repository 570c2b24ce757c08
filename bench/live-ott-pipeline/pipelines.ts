import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { handWrittenDefaultPipeline } from './hand-written-default-pipeline';
import { handWrittenLargestPipeline } from './hand-written-largest-pipeline';
import { CfnTemplate, normalizeTemplate, readableLogicalId, templateDifferences } from './template-equivalence';
import { ChannelClass, EncodingProfile, HlsAdMarkers, LiveInput, LiveOttPipelineProps, MediaPackageV1Endpoint, Packaging } from '../../src';

/** A pipeline the benchmark measures: the construct's props and the same resources written by hand as typed L1 classes. */
export interface BenchPipeline {
  readonly name: string;
  readonly props: () => LiveOttPipelineProps;
  readonly handWritten: (stack: Stack) => void;
}

/** The construct id of the pipeline in every benchmark stack. */
export const pipelineId = 'Live';

/** The environment of every benchmark stack. */
export const benchEnv = { account: '111111111111', region: 'eu-west-1' };

/** The default pipeline and the largest (v1 + every endpoint, 1080p, STANDARD). */
export const benchPipelines: BenchPipeline[] = [
  {
    name: 'default (v2, 720p, SINGLE_PIPELINE, HLS pull)',
    props: () => ({ input: LiveInput.urlPull({ urls: ['https://source.example.com/live/index.m3u8'] }) }),
    handWritten: handWrittenDefaultPipeline,
  },
  {
    name: 'largest (v1 + every endpoint, 1080p, STANDARD)',
    props: () => ({
      input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/main', 'live/backup'] }),
      channelClass: ChannelClass.STANDARD,
      encoding: EncodingProfile.hd1080p(),
      segmentLength: Duration.seconds(6),
      autoStart: true,
      packaging: Packaging.mediaPackageV1({
        endpoints: [MediaPackageV1Endpoint.HLS, MediaPackageV1Endpoint.DASH, MediaPackageV1Endpoint.CMAF, MediaPackageV1Endpoint.MSS],
        startoverWindow: Duration.hours(24),
        adMarkers: HlsAdMarkers.SCTE35_ENHANCED,
      }),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    }),
    handWritten: handWrittenLargestPipeline,
  },
];

/**
 * How the hand-written typed L1 template differs from the construct's, once the construct's logical ids are made
 * readable (`LiveChannelRole9FE9B94A` is the hand-written `ChannelRole`) and asset hashes blanked: empty when equivalent.
 */
export function handWrittenDifferences(constructTemplate: CfnTemplate, handWrittenTemplate: CfnTemplate): string[] {
  return templateDifferences(
    normalizeTemplate(constructTemplate, (logicalId) => readableLogicalId(pipelineId, logicalId)),
    normalizeTemplate(handWrittenTemplate),
  );
}
