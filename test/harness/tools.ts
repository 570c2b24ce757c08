import { spawnSync } from 'child_process';

/** System programs the real-client tests drive. */
export type MediaTool = 'ffmpeg' | 'ffprobe' | 'chromium';

/** System programs the tests drive: the media tools and AWS's CloudFormation linter. */
export type Tool = MediaTool | 'cfn-lint';

/** Where Debian installs Chromium; overridable for other systems. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const toolCommand: Record<Tool, string> = { 'ffmpeg': 'ffmpeg', 'ffprobe': 'ffprobe', 'chromium': chromiumPath, 'cfn-lint': 'cfn-lint' };
const versionFlag: Record<Tool, string> = { 'ffmpeg': '-version', 'ffprobe': '-version', 'chromium': '--version', 'cfn-lint': '--version' };
const installHint: Record<Tool, string> = {
  'ffmpeg': 'apt-get install ffmpeg',
  'ffprobe': 'apt-get install ffmpeg',
  'chromium': 'apt-get install chromium',
  'cfn-lint': 'pip install cfn-lint',
};
/** How long a version probe may take: Python's start-up alone takes seconds on a loaded 2-core machine. */
const probeTimeoutMs = 60_000;
const availability = new Map<Tool, boolean>();

/** True when the program answers its version flag (checked once per process). */
export function hasTool(tool: Tool): boolean {
  let available = availability.get(tool);
  if (available === undefined) {
    const probe = spawnSync(toolCommand[tool], [versionFlag[tool]], { stdio: 'ignore', timeout: probeTimeoutMs });
    available = probe.status === 0;
    availability.set(tool, available);
  }
  return available;
}

/** The tools of `needed` that this machine lacks. */
export function missingTools(needed: Tool[]): Tool[] {
  return needed.filter((tool) => !hasTool(tool));
}

/**
 * `describe` for suites that need system tools. Locally a missing tool skips the suite with a
 * printed reason; under CI (CI=true) a missing tool fails the run, because CI installs them.
 */
export function describeWithTools(needed: Tool[], name: string, body: () => void): void {
  const missing = missingTools(needed);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const hints = [...new Set(missing.map((tool) => installHint[tool]))].join('; ');
  const reason = `needs ${missing.join(', ')} (install with: ${hints})`;
  if (isCi()) {
    describe(name, () => {
      test('has the tools CI installs', () => {
        throw new Error(`${name}: ${reason}; CI must run these tests`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${reason}\n`);
  const skipped: jest.Describe = describe.skip;
  skipped(name, body);
}

function isCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}
