#!/usr/bin/env node
// The `glif` command runs the TypeScript sources directly through tsx, so a fresh
// clone needs no build step and the CLI can never run stale compiled code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
