#!/usr/bin/env -S node --import tsx
import { runCli } from './program';

const code = await runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s) });
process.exitCode = code;
