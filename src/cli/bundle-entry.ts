/**
 * The entry of the command's bundle (dist/boot/scheme-http.cjs, made by scripts/build-boot.mjs
 * from dist/), which bin/scheme-http.js runs through the V8 code cache: the whole command in one
 * script, with the Scheme library compiled ahead of time (src/scheme/precompiled.ts).
 */
import { usePrecompiledLibrary } from '../scheme/precompiled.js';
import { run } from '../cli.js';

/** Runs the command with ARGV; BOOT_DIR is the bundle's directory (dist/boot/), which holds the precompiled library. */
export function start(bootDir: string, argv: string[]): Promise<never> {
  usePrecompiledLibrary(bootDir);
  return run(argv);
}
