import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions', import.meta.url));
const BUNDLE_SCRIPT = fileURLToPath(new URL('../../scripts/bundle.ts', import.meta.url));

/**
 * The code of a Conclave Lambda function: `entry` bundled by scripts/bundle.ts
 * (the one bundling recipe, also measured by `npm run bench -- cold`) with the
 * local esbuild — no Docker. The asset hash is the bundle's, so a deploy
 * uploads code only when the bundle changed.
 *
 * @param entry absolute path of a handler module under functions/handlers
 */
export function bundledCode(entry: string): Code {
  return Code.fromAsset(FUNCTIONS_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('conclave/local-bundling-only'),
      // Also what makes each entry's asset distinct: CDK caches staged assets by source
      // directory and bundling options, and the local bundler (a function) is not part of that key.
      command: ['node', '--import', 'tsx', 'scripts/bundle.ts', relative(REPO, entry), '/asset-output'],
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT, entry, outputDir], { stdio: ['ignore', 'inherit', 'inherit'] });
          return true;
        },
      },
    },
  });
}
