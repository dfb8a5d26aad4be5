#!/usr/bin/env node
// The isms-review CLI. The sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 about its own future releases; the project supports
// Node 20.19+, and that notice says nothing the ISMS manager can act on. Set the variable to false to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
