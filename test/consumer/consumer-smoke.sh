#!/usr/bin/env bash
# A consumer's first minutes: `npm pack` the built library, install the tarball into a throw-away
# CDK app outside the repository and synthesize it, with a `docker` on PATH that fails if called.
# Proves the tarball holds what a consumer needs (lib/, pre-bundled assets/, API.md, README) and
# nothing it should not (handler sources, tests), and that synthesis needs neither Docker nor esbuild.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fail() { echo "consumer smoke: $*" >&2; exit 1; }
[ -f lib/index.js ] || fail "lib/ is missing: run 'npx projen build' first"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball="$work/$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
contents=$(tar tzf "$tarball")
for required in package/lib/index.js package/lib/index.d.ts package/API.md package/README.md package/package.json; do
  grep -qx "$required" <<<"$contents" || fail "tarball lacks $required"
done
handlers=$(find lambda-src -name '*.lambda.ts' | sort)
[ -n "$handlers" ] || fail "found no handler under lambda-src/"
for handler in $handlers; do
  asset="package/assets/$(dirname "$handler")/$(basename "$handler" .ts)/index.js"
  grep -qx "$asset" <<<"$contents" || fail "tarball lacks the bundled handler $asset"
done
if unwanted=$(grep -E '^package/(lambda-src|src|test|example|bench|dist|\.ci|\.projen|\.cache)/' <<<"$contents"); then
  fail "tarball ships files a consumer must not get: $(head -n 3 <<<"$unwanted" | tr '\n' ' ')"
fi
runtime_deps=$(tar xzf "$tarball" -O package/package.json | node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Object.keys(p.dependencies ?? {}).join(" "))')
[ -z "$runtime_deps" ] || fail "the library must have only peer dependencies, found: $runtime_deps"
echo "consumer smoke: $(basename "$tarball"), $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KiB"

app="$work/app"
mkdir -p "$app/bin"
cp test/consumer/consumer-app.js "$app/app.js"
cdk_lib=$(node -p 'require("./package.json").devDependencies["aws-cdk-lib"]')
constructs=$(node -p 'require("./package.json").devDependencies["constructs"]')
cd "$app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$cdk_lib" "constructs@$constructs" >/dev/null
[ ! -e node_modules/esbuild ] || fail "installing the library pulled in esbuild"

printf '#!/bin/sh\necho "docker $*" >> "%s/docker-calls"\nexit 1\n' "$work" > bin/docker
chmod +x bin/docker
PATH="$app/bin:$PATH" CDK_OUTDIR="$app/cdk.out" node app.js
[ ! -e "$work/docker-calls" ] || fail "synthesis called docker: $(cat "$work/docker-calls")"
[ -f cdk.out/manifest.json ] || fail "synthesis wrote no cloud assembly"
node -e '
  const fs = require("fs");
  const manifest = JSON.parse(fs.readFileSync("cdk.out/manifest.json", "utf8"));
  const stacks = Object.values(manifest.artifacts).filter((a) => a.type === "aws:cloudformation:stack");
  for (const stack of stacks) {
    const template = JSON.parse(fs.readFileSync("cdk.out/" + stack.properties.templateFile, "utf8"));
    const assets = fs.readdirSync("cdk.out").filter((f) => f.startsWith("asset."));
    console.log(`consumer smoke: synthesized ${stack.displayName}: ${Object.keys(template.Resources ?? {}).length} resources, ${assets.length} assets, no docker`);
  }'
