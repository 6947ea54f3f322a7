/**
 * Imported by the snapshot entry before LIPS, so that the state LIPS's import changes (an
 * unhandled-rejection listener, console.log) is captured before it runs.
 */
import { preImportState } from '../scheme/boot.js';

export const beforeLips = preImportState();
