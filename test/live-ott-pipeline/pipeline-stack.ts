import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LiveInput, LiveOttPipeline, LiveOttPipelineProps } from '../../src';

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
