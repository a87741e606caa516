// The CLI from source, as its own process: the browser test runs `siplens serve` through it (no build needed).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
