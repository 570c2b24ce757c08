import type * as medialive from 'aws-cdk-lib/aws-medialive';
import type { H264Profile } from './encoding-profile';
import type { SourceEndBehavior } from './live-input';

// What the public union-like classes hand to the construct when they bind: not part of the public API.

/** What binding an input produced. @internal */
export interface BoundLiveInput {
  readonly input: medialive.CfnInput;
  /** Input settings of the channel's attachment. */
  readonly sourceEndBehavior?: SourceEndBehavior;
  /** The security group of a push input. */
  readonly securityGroup?: medialive.CfnInputSecurityGroup;
}

/** A rendition with everything the encoder needs. @internal */
export interface LadderRung {
  readonly width: number;
  readonly height: number;
  readonly maxBitrate: number;
  readonly qualityLevel: number;
  readonly h264Profile: H264Profile;
}

/** MediaLive's input specification for a ladder's top rendition. @internal */
export interface SourceSpecification {
  readonly resolution: 'SD' | 'HD' | 'UHD';
  readonly maximumBitrate: 'MAX_10_MBPS' | 'MAX_20_MBPS' | 'MAX_50_MBPS';
}

