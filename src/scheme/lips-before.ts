/**
 * What importing LIPS changes in the process (an unhandled-rejection listener, console.log),
 * captured before it is imported: src/scheme/boot.ts imports this module just before `lips`,
 * and undoes the changes against it.
 */

/** What the side effects of importing LIPS are undone against: the state before the import. */
export interface PreImportState {
  rejectionListeners: Set<NodeJS.UnhandledRejectionListener>;
  log: typeof console.log;
}

export function preImportState(): PreImportState {
  return { rejectionListeners: new Set(process.listeners('unhandledRejection')), log: console.log };
}

export const beforeLips = preImportState();
