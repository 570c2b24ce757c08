import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { handlerDir, synthOnlyImportChains } from '../harness/bundle-imports';

function handlerEntrypoints(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return handlerEntrypoints(file);
    return entry.name.endsWith('.lambda.ts') ? [file] : [];
  });
}

describe('handler bundles', () => {
  const entrypoints = handlerEntrypoints(handlerDir);

  test('every construct has its handlers in lambda-src/<construct>/', () => {
    expect(entrypoints.length).toBeGreaterThanOrEqual(2);
    for (const entrypoint of entrypoints) expect(path.relative(handlerDir, entrypoint)).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+\.lambda\.ts$/);
  });

  test.each(entrypoints.map((entrypoint) => [path.relative(handlerDir, entrypoint), entrypoint]))(
    '%s bundles without aws-cdk-lib or constructs', (_name, entrypoint) => {
      const chains = synthOnlyImportChains(entrypoint);
      if (chains.length > 0) throw new Error(`synth-only code in the bundle, imported through:\n  ${chains.map((chain) => chain.join(' -> ')).join('\n  ')}`);
    });

  test('the check names the import chain when a handler pulls in synth-only code through a src/ file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-check-'));
    try {
      const leaky = path.join(dir, 'leaky.ts');
      fs.writeFileSync(leaky, `import { Construct } from '${require.resolve('constructs').replace(/\\/g, '/')}';\nexport const ttl = Construct.isConstruct({});\n`);
      const entry = path.join(dir, 'entry.lambda.ts');
      fs.writeFileSync(entry, "import { ttl } from './leaky';\nexport const handler = async () => ttl;\n");
      const chains = synthOnlyImportChains(entry);
      expect(chains.length).toBeGreaterThan(0);
      expect(chains[0][0]).toMatch(/entry\.lambda\.ts$/);
      expect(chains[0][1]).toMatch(/leaky\.ts$/);
      expect(chains[0][2]).toContain('node_modules/constructs/');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
