/**
 * Types for the parts of LIPS 1.0.0-beta.23.1 this project uses; the package ships none.
 * Loaded from its unbundled source (see boot.ts), which has the same exports as `lips`.
 */
declare module 'lips' {
  export interface Environment {
    __parent__: Environment;
    __env__: Record<string, unknown>;
    __name__: string;
    get(name: string | LSymbol, options?: { throwError?: boolean }): unknown;
    set(name: string | LSymbol, value: unknown, doc?: string | null): void;
    has(name: string): boolean;
    inherit(name: string, obj?: Record<string, unknown>): Environment;
  }
  export interface ExecOptions {
    env?: Environment | true;
    dynamic_env?: Environment;
    use_dynamic?: boolean;
    filename?: string;
  }
  export const env: Environment;
  export function exec(code: string | unknown[] | Pair, options?: ExecOptions): Promise<unknown[]>;
  export function parse(code: string, options?: Record<string, unknown>): AsyncIterable<unknown> | unknown[];
  export function evaluate(code: unknown, options?: ExecOptions): unknown;
  export function unserialize_bin(data: Uint8Array): unknown[];
  export function serialize_bin(data: unknown): Uint8Array;
  export function balanced_parenthesis(code: string): boolean;
  export function box(x: unknown): unknown;
  export function repr(value: unknown, quote?: boolean): string;
  export function type(value: unknown): string;
  export const version: string;

  export class Pair {
    constructor(car: unknown, cdr: unknown);
    car: unknown;
    cdr: unknown;
    static from_array(arr: unknown[], deep?: boolean, quote?: boolean): Pair | Nil;
    to_array(deep?: boolean): unknown[];
  }
  export class Nil {
    to_array(): unknown[];
  }
  export const nil: Nil;
  export class EOF {}
  export const eof: EOF;
  export class LSymbol {
    constructor(name: string);
    __name__: string;
    valueOf(): string;
  }
  export class LString {
    constructor(s: string);
    valueOf(): string;
    __string__: string;
  }
  export class LCharacter {
    constructor(c: string);
    valueOf(): string;
    __char__: string;
  }
  export class LNumber {
    static isInteger(x: unknown): boolean;
    valueOf(): number;
  }
  export function Values(values: unknown[]): unknown;
  export class Parameter {
    constructor(init: unknown, fn?: ((v: unknown) => unknown) | null, name?: string | null);
    __value__: unknown;
    __name__: string;
    invoke(): unknown;
    inherit(value: unknown): Parameter;
  }
  export class InputPort {
    constructor(read: () => unknown);
    __type__: symbol;
  }
  export class OutputPort {
    constructor(write: (s: string) => unknown);
    __type__: symbol;
    write(s: string): unknown;
    close(): void;
    is_open(): boolean;
    flush(): void;
  }
  export class OutputStringPort extends OutputPort {
    constructor(toString: (x: unknown) => string);
    valueOf(): string;
  }
  export class Error extends globalThis.Error {}
  export class Macro {}
}
