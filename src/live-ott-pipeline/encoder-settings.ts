import * as medialive from 'aws-cdk-lib/aws-medialive';
import type { LadderRung } from './bindings';
import { EncodingProfile, H264Profile, VideoCodec } from './encoding-profile';

/** What the encoder settings depend on besides the ladder. */
export interface EncoderSettingsOptions {
  /** Segment length of the packaged output, in whole seconds (the GOP divides it). */
  readonly segmentLengthSeconds: number;
  /** Pass SCTE-35 messages from the source through to the packager. */
  readonly scte35Passthrough: boolean;
  /** The packaging mode's output groups, listing the encoded renditions. */
  readonly outputGroups: (renditions: EncodedRenditions) => medialive.CfnChannel.OutputGroupProperty[];
}

/** The names of the encoded renditions (each the name of its description), as output groups list them. */
export interface EncodedRenditions {
  /** One video-only rendition per rung of the ladder, top first. */
  readonly videoNames: string[];
  /** The AAC audio rendition. */
  readonly audioName: string;
}

/** The name of the audio description and of its output. */
export const audioRenditionName = 'audio_aac';

/**
 * The closed-GOP length, in seconds, for a segment length: 2 s when it divides the segment (as in the seed's
 * profiles, 2 s GOPs under 4 s segments), else 1 s, so every segment starts on an IDR frame.
 */
export function gopSeconds(segmentLengthSeconds: number): number {
  return segmentLengthSeconds % 2 === 0 ? 2 : 1;
}

/** The name of a video rendition and of its output, e.g. `video_1280x720_2700k`. */
export function videoRenditionName(rung: LadderRung): string {
  return `video_${rung.width}x${rung.height}_${Math.round(rung.maxBitrate / 1000)}k`;
}

/**
 * MediaLive encoder settings for `profile`: one video description per rendition and one AAC audio description, in
 * the output groups of the packaging mode, SCTE-35 passed through on request, wall-clock timecode.
 */
export function encoderSettings(profile: EncodingProfile, options: EncoderSettingsOptions): medialive.CfnChannel.EncoderSettingsProperty {
  const gop = gopSeconds(options.segmentLengthSeconds);
  return {
    timecodeConfig: { source: 'SYSTEMCLOCK' },
    audioDescriptions: [{
      name: audioRenditionName,
      audioTypeControl: 'FOLLOW_INPUT',
      languageCodeControl: 'FOLLOW_INPUT',
      codecSettings: {
        aacSettings: {
          bitrate: profile.audioBitrate,
          codingMode: 'CODING_MODE_2_0',
          inputType: 'NORMAL',
          profile: 'LC',
          rateControlMode: 'CBR',
          rawFormat: 'NONE',
          sampleRate: 48000,
          spec: 'MPEG4',
        },
      },
    }],
    videoDescriptions: profile._renditions.map((rung) => ({
      name: videoRenditionName(rung),
      width: rung.width,
      height: rung.height,
      respondToAfd: 'NONE',
      scalingBehavior: 'DEFAULT',
      sharpness: 50,
      codecSettings: profile.codec === VideoCodec.HEVC
        ? { h265Settings: h265Settings(rung, profile.framerate, gop) }
        : { h264Settings: h264Settings(rung, profile.framerate, gop) },
    })),
    availConfiguration: options.scte35Passthrough
      ? { availSettings: { scte35SpliceInsert: { noRegionalBlackoutFlag: 'FOLLOW', webDeliveryAllowedFlag: 'FOLLOW' } } }
      : undefined,
    outputGroups: options.outputGroups({ videoNames: profile._renditions.map(videoRenditionName), audioName: audioRenditionName }),
  };
}

/**
 * A MEDIAPACKAGE output group (MediaPackage v1 or v2, as `groupSettings` says): one video-only output per rendition
 * and one audio-only output.
 */
export function mediaPackageOutputGroup(
  renditions: EncodedRenditions,
  groupSettings: medialive.CfnChannel.MediaPackageGroupSettingsProperty,
): medialive.CfnChannel.OutputGroupProperty {
  return {
    name: 'mediapackage',
    outputGroupSettings: { mediaPackageGroupSettings: groupSettings },
    outputs: [
      ...renditions.videoNames.map((name) => ({
        outputName: name,
        videoDescriptionName: name,
        outputSettings: { mediaPackageOutputSettings: {} },
      })),
      {
        outputName: renditions.audioName,
        audioDescriptionNames: [renditions.audioName],
        outputSettings: { mediaPackageOutputSettings: {} },
      },
    ],
  };
}

function h264Settings(rung: LadderRung, framerate: number, gop: number): medialive.CfnChannel.H264SettingsProperty {
  const baseline = rung.h264Profile === H264Profile.BASELINE;
  return {
    profile: rung.h264Profile,
    level: 'H264_LEVEL_AUTO',
    entropyEncoding: baseline ? 'CAVLC' : 'CABAC',
    rateControlMode: 'QVBR',
    qvbrQualityLevel: rung.qualityLevel,
    maxBitrate: rung.maxBitrate,
    bufSize: rung.maxBitrate * 2,
    bufFillPct: 90,
    framerateControl: 'SPECIFIED',
    framerateNumerator: framerate,
    framerateDenominator: 1,
    parControl: 'SPECIFIED',
    parNumerator: 1,
    parDenominator: 1,
    gopSize: gop,
    gopSizeUnits: 'SECONDS',
    gopClosedCadence: 1,
    gopNumBFrames: baseline ? 0 : 3,
    gopBReference: baseline ? 'DISABLED' : 'ENABLED',
    subgopLength: 'FIXED',
    scanType: 'PROGRESSIVE',
    lookAheadRateControl: 'HIGH',
    adaptiveQuantization: 'HIGH',
    spatialAq: 'ENABLED',
    temporalAq: 'ENABLED',
    flickerAq: 'ENABLED',
    sceneChangeDetect: 'ENABLED',
    colorMetadata: 'INSERT',
    afdSignaling: 'NONE',
    timecodeInsertion: 'DISABLED',
  };
}

function h265Settings(rung: LadderRung, framerate: number, gop: number): medialive.CfnChannel.H265SettingsProperty {
  return {
    profile: 'MAIN',
    tier: 'HIGH',
    level: 'H265_LEVEL_AUTO',
    rateControlMode: 'QVBR',
    qvbrQualityLevel: rung.qualityLevel,
    maxBitrate: rung.maxBitrate,
    bufSize: rung.maxBitrate * 2,
    framerateNumerator: framerate,
    framerateDenominator: 1,
    parNumerator: 1,
    parDenominator: 1,
    gopSize: gop,
    gopSizeUnits: 'SECONDS',
    gopClosedCadence: 1,
    scanType: 'PROGRESSIVE',
    lookAheadRateControl: 'HIGH',
    adaptiveQuantization: 'HIGH',
    flickerAq: 'ENABLED',
    sceneChangeDetect: 'ENABLED',
    colorMetadata: 'INSERT',
    alternativeTransferFunction: 'OMIT',
    afdSignaling: 'NONE',
    timecodeInsertion: 'DISABLED',
  };
}
