/**
 * `current-output-port` and `current-input-port` as LIPS parameters whose default is the port of
 * the handler running now (from AsyncLocalStorage), else stdio. Our output procedures ask the
 * call's dynamic environment only once something has been parameterized: until then the lookup
 * is one ALS read.
 */
import type { Environment, Parameter } from 'lips';
import { als, type PortStore } from '../context.js';
import { StreamPort, StdinPort, type InPort, type OutPort } from '../ports.js';
import { lips } from '../values.js';
import type { CallContext } from '../define.js';

export const stdoutPort = new StreamPort(process.stdout);
export const stderrPort = new StreamPort(process.stderr);
export const stdinPort = new StdinPort();

let outParam: Parameter;
let inParam: Parameter;
let outRebound = false;
let inRebound = false;

export function installCurrentPorts(global: Environment): void {
  const L = lips();
  outParam = new L.Parameter(null, (v: unknown) => v ?? als.getStore()?.out ?? stdoutPort, 'current-output-port');
  inParam = new L.Parameter(null, (v: unknown) => v ?? als.getStore()?.in ?? stdinPort, 'current-input-port');
  const errParam = new L.Parameter(null, (v: unknown) => v ?? stderrPort, 'current-error-port');
  // `parameterize` calls inherit(): from then on, procedures look at the dynamic environment.
  const outInherit = outParam.inherit.bind(outParam);
  outParam.inherit = (v: unknown) => { outRebound = true; return outInherit(v); };
  const inInherit = inParam.inherit.bind(inParam);
  inParam.inherit = (v: unknown) => { inRebound = true; return inInherit(v); };
  global.set('current-output-port', outParam);
  global.set('current-input-port', inParam);
  global.set('current-error-port', errParam);
}

function dynamicValue(ctx: CallContext | undefined, name: string): unknown {
  const dyn = ctx?._raw_dyn;
  if (dyn === undefined || dyn === null) return undefined;
  const p = dyn.get(name, { throwError: false }) as Parameter | undefined;
  return p instanceof lips().Parameter ? p.invoke() : undefined;
}

/** On the compiled engine, the current ports are its parameters (their values in the running code). */
let compiledPorts: { out(): OutPort; in(): InPort } | null = null;

export function useCompiledPorts(ports: { out(): OutPort; in(): InPort }): void {
  compiledPorts = ports;
}

/** The output port a procedure called without one writes to. */
export function currentOut(ctx?: CallContext): OutPort {
  if (compiledPorts !== null) return compiledPorts.out();
  if (outRebound) {
    const v = dynamicValue(ctx, 'current-output-port');
    if (v !== undefined) return v as OutPort;
  }
  return als.getStore()?.out ?? stdoutPort;
}

/** The input port a procedure called without one reads from. */
export function currentIn(ctx?: CallContext): InPort {
  if (compiledPorts !== null) return compiledPorts.in();
  if (inRebound) {
    const v = dynamicValue(ctx, 'current-input-port');
    if (v !== undefined) return v as InPort;
  }
  return als.getStore()?.in ?? stdinPort;
}

/** The value of a `parameterize` binding of NAME in effect for this call, if any (not the global one). */
function shadowing(ctx: CallContext | undefined, name: string, global: Parameter): unknown {
  const dyn = ctx?._raw_dyn;
  if (dyn === undefined || dyn === null) return undefined;
  const p = dyn.get(name, { throwError: false });
  return p instanceof lips().Parameter && p !== global ? p.invoke() : undefined;
}

/**
 * The ports a thread made now starts with: what `parameterize` (or `with-output-to-string` …)
 * has bound around the call, on top of the handler's or stdio's. CHICKEN threads inherit the
 * current ports of the thread that makes them.
 */
export function inheritedPorts(ctx: CallContext | undefined): PortStore {
  const parent = als.getStore();
  const out = outRebound ? shadowing(ctx, 'current-output-port', outParam) as OutPort | undefined : undefined;
  const inp = inRebound ? shadowing(ctx, 'current-input-port', inParam) as InPort | undefined : undefined;
  return {
    get out(): OutPort { return out ?? parent?.out ?? stdoutPort; },
    get in(): InPort { return inp ?? parent?.in ?? stdinPort; },
    ex: parent?.ex ?? null,
  };
}
