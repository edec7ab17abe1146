// serverless.yml's bridge to scripts/package-aws.config.ts: `${file(./scripts/package-aws.serverless.cjs):functions}` and
// `:resources`. Serverless loads .js/.cjs files only, so this compiles the TypeScript with tsx (a devDependency) on
// the fly.
'use strict';
const { require: tsxRequire } = require('tsx/cjs/api');

let fragments;
module.exports = async (resolvers) => {
  // Not cached on failure: serverless retries once the variables this depends on are resolved.
  fragments ??= await tsxRequire('./package-aws.config.ts', __filename).fromServerless(resolvers);
  return fragments;
};
