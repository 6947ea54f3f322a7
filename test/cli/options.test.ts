/**
 * The command line's options as read (src/cli/options.ts), and what --help and --version say
 * (src/cli/help.ts): every option, environment variable and exit status the command uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../../src/cli/options.js';
import { HELP, VERSION } from '../../src/cli/help.js';
import { ROOT } from './child.js';
import { listeningLine } from '../../src/http/server/debug-log.js';

const plan = (argv: string[]) => parseOptions(argv);

describe('parseOptions', () => {
  it('a file and its arguments; options after the file are the program\'s', () => {
    expect(plan(['prog.scm', 'a', '-e', 'x', '--workers', '2'])).toMatchObject({ action: 'run', file: 'prog.scm', args: ['a', '-e', 'x', '--workers', '2'], exprs: [], repl: false, workers: 1 });
  });

  it('no arguments, or `repl`, is the REPL', () => {
    expect(plan([])).toMatchObject({ file: null, repl: true });
    expect(plan(['repl'])).toMatchObject({ file: null, repl: true });
    expect(plan(['--', 'repl'])).toMatchObject({ file: 'repl', repl: false });
  });

  it('-e several times, in order; the arguments after them are all the program\'s', () => {
    expect(plan(['-e', '(a)', '--eval', '(b)', '--eval=(c)', 'x.scm', 'y'])).toMatchObject({ exprs: ['(a)', '(b)', '(c)'], file: null, args: ['x.scm', 'y'], repl: false });
  });

  it('-i runs the program, then the REPL', () => {
    expect(plan(['-i', 'prog.scm', 'a'])).toMatchObject({ file: 'prog.scm', args: ['a'], repl: true });
    expect(plan(['-e', '(define x 1)', '--interactive'])).toMatchObject({ exprs: ['(define x 1)'], repl: true });
  });

  it('--version, -v, -V and --help, -h', () => {
    for (const v of ['--version', '-v', '-V']) expect(plan([v, 'file.scm']).action).toBe('version');
    for (const h of ['--help', '-h']) expect(plan(['-e', '1', h]).action).toBe('help');
  });

  it('--workers N, --workers=N and auto', () => {
    expect(plan(['--workers', '3', 'p.scm']).workers).toBe(3);
    expect(plan(['--workers=2', 'p.scm']).workers).toBe(2);
    expect(plan(['--workers', 'auto', 'p.scm']).workers).toBe(os.availableParallelism());
  });

  it('refuses what it cannot obey, saying why', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--bogus'], /unknown option --bogus/],
      [['-x', 'p.scm'], /unknown option -x/],
      [['-e'], /-e needs a value/],
      [['--workers', '0', 'p.scm'], /--workers needs a number of processes \(1 or more\) or auto, got "0"/],
      [['--workers', 'two', 'p.scm'], /got "two"/],
      [['--workers'], /--workers needs a value/],
      [['--workers', '2'], /--workers runs the program in each worker process/],
      [['--workers', '2', '-i', 'p.scm'], /without -i/],
      [['--interactive=yes'], /--interactive takes no value/],
    ];
    for (const [argv, message] of bad) {
      expect(() => plan(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => plan(argv), argv.join(' ')).toThrow(message);
    }
  });
});

describe('--help and --version', () => {
  it('the version is package.json\'s', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('names every option, the environment variables and each exit status the command uses', () => {
    for (const o of ['-e, --eval EXPR', '-i, --interactive', '--workers N', '-h, --help', '-v, --version']) expect(HELP).toContain(o);
    for (const v of ['SCHEME_HTTP_SNAPSHOT=0', 'SCHEME_HTTP_SNAPSHOT_DIR', 'SCHEME_HTTP_COMPILE=0', 'SCHEME_HTTP_TRACE_JS=1', 'SCHEME_HTTP_TRACE_COMPILE=1', 'NODE_CLUSTER_SCHED_POLICY']) expect(HELP).toContain(v);
    // The statuses src/cli.ts and src/cli/workers.ts give: each is in the help.
    const cli = fs.readFileSync(path.join(ROOT, 'src', 'cli.ts'), 'utf8') + fs.readFileSync(path.join(ROOT, 'src', 'cli', 'workers.ts'), 'utf8');
    const used = new Set([...cli.matchAll(/(?:exit\(|EXIT_\w+ = |\['SIG\w+', )(\d+)/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(['130', '141', '143', '2', '70']);
    for (const status of [...used, '0']) expect(HELP).toMatch(new RegExp(`^  ${status} +\\S`, 'm'));
  });
});

describe('the listening line', () => {
  it('shows a server on every interface as localhost, an IPv6 address in brackets', () => {
    expect(listeningLine({ address: '::', family: 'IPv6', port: 4242 })).toBe('listening on http://localhost:4242/\n');
    expect(listeningLine({ address: '0.0.0.0', family: 'IPv4', port: 80 })).toBe('listening on http://localhost:80/\n');
    expect(listeningLine({ address: '127.0.0.1', family: 'IPv4', port: 8080 })).toBe('listening on http://127.0.0.1:8080/\n');
    expect(listeningLine({ address: '::1', family: 'IPv6', port: 8443 }, true)).toBe('listening on https://[::1]:8443/\n');
  });
});
