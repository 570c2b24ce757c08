import { Token } from 'aws-cdk-lib';
import type { LadderRung, SourceSpecification } from './bindings';

/** The video codec of every rendition. */
export enum VideoCodec {
  /** H.264 / AVC: plays everywhere. */
  AVC = 'AVC',
  /** H.265 / HEVC: fewer bits for the same quality; needs HEVC-capable players. */
  HEVC = 'HEVC',
}

/** H.264 profile of a rendition (HEVC renditions are always Main). */
export enum H264Profile {
  /** Baseline: no B-frames, CAVLC; for the oldest decoders. */
  BASELINE = 'BASELINE',
  /** Main. */
  MAIN = 'MAIN',
  /** High. */
  HIGH = 'HIGH',
}

/** One rung of the ladder. */
export interface Rendition {
  /** Width in pixels (even, 96 to 3840). */
  readonly width: number;
  /** Height in pixels (even, 96 to 2160). */
  readonly height: number;
  /** The QVBR bitrate cap, in bits per second (50,000 to 20,000,000). */
  readonly maxBitrate: number;
  /** The QVBR quality level, 1 to 10: the encoder spends bits up to `maxBitrate` only while it is below this quality. */
  readonly qualityLevel: number;
  /**
   * H.264 profile (ignored for HEVC).
   * @default H264Profile.MAIN
   */
  readonly h264Profile?: H264Profile;
}

/** Properties of a custom ladder. */
export interface CustomEncodingProfileProps {
  /** The renditions, highest first (1 to 10). */
  readonly renditions: Rendition[];
  /** Frames per second: 24, 25, 30, 50 or 60 (the denominator is 1). */
  readonly framerate: number;
  /**
   * The video codec.
   * @default VideoCodec.AVC
   */
  readonly codec?: VideoCodec;
  /**
   * AAC bitrate of the stereo audio rendition, in bits per second.
   * @default 96000
   */
  readonly audioBitrate?: number;
}

/** Options of a preset ladder. */
export interface PresetEncodingOptions {
  /**
   * The video codec of every rendition.
   * @default VideoCodec.AVC
   */
  readonly codec?: VideoCodec;
}

/** The accepted values of every ladder field. */
const limits = {
  renditions: { minimum: 1, maximum: 10 },
  width: { minimum: 96, maximum: 3840 },
  height: { minimum: 96, maximum: 2160 },
  maxBitrate: { minimum: 50_000, maximum: 20_000_000 },
  qualityLevel: { minimum: 1, maximum: 10 },
  framerates: [24, 25, 30, 50, 60],
  audioBitrates: [64_000, 96_000, 128_000, 192_000],
} as const;

/** AAC-LC stereo at 96 kbit/s, as in the seed's profiles. */
const defaultAudioBitrate = 96_000;

/**
 * The ladders of the seed's three encoding profiles (prior art: aws-cdk-mediaservices-refarch OTT,
 * `config/encoding-profiles/*.json`): QVBR with the listed bitrate as the cap, the listed quality level and H.264 profile.
 */
const presetLadders = {
  hd1080p: [
    { width: 1920, height: 1080, maxBitrate: 4_100_000, qualityLevel: 9, h264Profile: H264Profile.HIGH },
    { width: 1280, height: 720, maxBitrate: 2_700_000, qualityLevel: 8, h264Profile: H264Profile.MAIN },
    { width: 960, height: 540, maxBitrate: 1_800_000, qualityLevel: 8, h264Profile: H264Profile.MAIN },
    { width: 768, height: 432, maxBitrate: 1_200_000, qualityLevel: 7, h264Profile: H264Profile.MAIN },
    { width: 640, height: 360, maxBitrate: 800_000, qualityLevel: 7, h264Profile: H264Profile.MAIN },
    { width: 512, height: 288, maxBitrate: 400_000, qualityLevel: 6, h264Profile: H264Profile.MAIN },
  ],
  hd720p: [
    { width: 1280, height: 720, maxBitrate: 2_700_000, qualityLevel: 9, h264Profile: H264Profile.HIGH },
    { width: 960, height: 540, maxBitrate: 1_800_000, qualityLevel: 8, h264Profile: H264Profile.MAIN },
    { width: 640, height: 360, maxBitrate: 800_000, qualityLevel: 7, h264Profile: H264Profile.BASELINE },
    { width: 512, height: 288, maxBitrate: 400_000, qualityLevel: 6, h264Profile: H264Profile.BASELINE },
  ],
  sd540p: [
    { width: 960, height: 540, maxBitrate: 1_800_000, qualityLevel: 9, h264Profile: H264Profile.MAIN },
    { width: 768, height: 432, maxBitrate: 1_200_000, qualityLevel: 7, h264Profile: H264Profile.MAIN },
    { width: 640, height: 360, maxBitrate: 800_000, qualityLevel: 7, h264Profile: H264Profile.MAIN },
    { width: 512, height: 288, maxBitrate: 400_000, qualityLevel: 6, h264Profile: H264Profile.MAIN },
  ],
} as const;

/**
 * The adaptive-bitrate ladder MediaLive encodes: presets from the seed, or custom renditions. Every rendition is QVBR
 * with a closed GOP that divides the segment length, and one AAC stereo rendition goes beside the video.
 */
export class EncodingProfile {
  /** 1080p at 30 fps, six renditions: 1080p 4.1, 720p 2.7, 540p 1.8, 432p 1.2, 360p 0.8, 288p 0.4 Mbit/s. */
  public static hd1080p(options: PresetEncodingOptions = {}): EncodingProfile {
    return new EncodingProfile('HD_1080P', presetLadders.hd1080p, 30, options.codec ?? VideoCodec.AVC, defaultAudioBitrate);
  }

  /** 720p at 25 fps, four renditions: 720p 2.7, 540p 1.8, 360p 0.8, 288p 0.4 Mbit/s (the two lowest Baseline). */
  public static hd720p(options: PresetEncodingOptions = {}): EncodingProfile {
    return new EncodingProfile('HD_720P', presetLadders.hd720p, 25, options.codec ?? VideoCodec.AVC, defaultAudioBitrate);
  }

  /** 540p at 30 fps, four renditions: 540p 1.8, 432p 1.2, 360p 0.8, 288p 0.4 Mbit/s. */
  public static sd540p(options: PresetEncodingOptions = {}): EncodingProfile {
    return new EncodingProfile('SD_540P', presetLadders.sd540p, 30, options.codec ?? VideoCodec.AVC, defaultAudioBitrate);
  }

  /** Your own renditions, validated at synth time. */
  public static custom(props: CustomEncodingProfileProps): EncodingProfile {
    validateCustom(props);
    return new EncodingProfile('CUSTOM', props.renditions, props.framerate, props.codec ?? VideoCodec.AVC, props.audioBitrate ?? defaultAudioBitrate);
  }

  /** The ladder's renditions, highest first. @internal */
  public readonly _renditions: readonly LadderRung[];

  // closed: only the factories above make one
  private constructor(
    /** `HD_1080P`, `HD_720P`, `SD_540P` or `CUSTOM`. */
    public readonly name: string,
    renditions: readonly Rendition[],
    /** Frames per second. */
    public readonly framerate: number,
    /** The video codec. */
    public readonly codec: VideoCodec,
    /** AAC bitrate, bits per second. */
    public readonly audioBitrate: number,
  ) {
    this._renditions = renditions.map((rendition) => ({ ...rendition, h264Profile: rendition.h264Profile ?? H264Profile.MAIN }));
  }

  /** MediaLive's input specification (the billing class of the source) sized for the top rendition. @internal */
  public _sourceSpecification(): SourceSpecification {
    const top = this._renditions[0];
    return {
      resolution: top.height <= 576 ? 'SD' : top.height <= 1080 ? 'HD' : 'UHD',
      maximumBitrate: top.height >= 1080 ? 'MAX_20_MBPS' : 'MAX_10_MBPS',
    };
  }
}

function validateCustom(props: CustomEncodingProfileProps): void {
  const count = props.renditions.length;
  if (count < limits.renditions.minimum || count > limits.renditions.maximum) {
    throw new Error(`encoding: renditions must hold ${limits.renditions.minimum} to ${limits.renditions.maximum} renditions, got ${count}`);
  }
  if (!Token.isUnresolved(props.framerate) && !(limits.framerates as readonly number[]).includes(props.framerate)) {
    throw new Error(`encoding: framerate must be one of ${limits.framerates.join(', ')}, got ${props.framerate}`);
  }
  if (props.audioBitrate !== undefined && !(limits.audioBitrates as readonly number[]).includes(props.audioBitrate)) {
    throw new Error(`encoding: audioBitrate must be one of ${limits.audioBitrates.join(', ')}, got ${props.audioBitrate}`);
  }
  const inRange = (index: number, field: 'width' | 'height' | 'maxBitrate' | 'qualityLevel', value: number, even: boolean) => {
    const { minimum, maximum } = limits[field];
    if (!Number.isInteger(value) || value < minimum || value > maximum || (even && value % 2 !== 0)) {
      throw new Error(`encoding: renditions[${index}].${field} must be ${even ? 'an even' : 'an'} integer from ${minimum} to ${maximum}, got ${value}`);
    }
  };
  props.renditions.forEach((rendition, index) => {
    inRange(index, 'width', rendition.width, true);
    inRange(index, 'height', rendition.height, true);
    inRange(index, 'maxBitrate', rendition.maxBitrate, false);
    inRange(index, 'qualityLevel', rendition.qualityLevel, false);
  });
  const sizes = props.renditions.map((rendition) => `${rendition.width}x${rendition.height}@${rendition.maxBitrate}`);
  if (new Set(sizes).size !== sizes.length) throw new Error(`encoding: renditions must differ, got ${JSON.stringify(sizes)}`);
  for (let index = 1; index < count; index++) {
    if (props.renditions[index].maxBitrate > props.renditions[index - 1].maxBitrate) {
      throw new Error(`encoding: renditions must be ordered highest first, got renditions[${index}].maxBitrate ${props.renditions[index].maxBitrate} `
        + `above renditions[${index - 1}].maxBitrate ${props.renditions[index - 1].maxBitrate}`);
    }
  }
}
