/**
 * Imported by the snapshot entry before LIPS, so that the state LIPS's import changes (an
 * unhandled-rejection listener, console.log) is captured before it runs.
 */
export { beforeLips } from '../scheme/lips-before.js';
