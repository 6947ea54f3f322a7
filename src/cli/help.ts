/**
 * What `scheme-http --help` and `--version` print. The version is kept here (the start-up
 * snapshot has no package.json to read); test/cli/options.test.ts checks it against package.json.
 */

export const VERSION = '0.1.0';

export function versionText(): string {
  return `scheme-http ${VERSION} (node ${process.version})\n`;
}

export const USAGE = `usage: scheme-http [OPTION...] [FILE.scm [ARG...]]
Try 'scheme-http --help' for more.
`;

export const HELP = `usage: scheme-http [OPTION...] [FILE.scm [ARG...]]

Runs a Scheme program written for CHICKEN's http egg, with every http: procedure loaded.
With no FILE and no -e, starts a REPL. The ARGs are the program's (command-line-arguments);
options go before FILE ('--' ends them).

Options:
  -e, --eval EXPR   evaluate EXPR and print its values; may be given several times
                    (evaluated in order; then the ARGs are all the program's)
  -i, --interactive run FILE (or the -e expressions), then start the REPL
  --workers N       run the program in N processes sharing its server's port (node:cluster;
                    default 1, 'auto' for one a core); a worker that crashes is started
                    again, and SIGTERM or SIGINT lets each finish its requests in flight
                    (5 s at most) before all exit; not with the REPL
  -h, --help        print this help
  -v, --version     print the version

A server started with the debug flag on ((http:make-server PORT) #t) says on stderr where it
listens, then one line per request.

Environment:
  SCHEME_HTTP_SNAPSHOT=0          do not start from the start-up snapshot (=debug: say why)
  SCHEME_HTTP_SNAPSHOT_DIR=DIR    look for the snapshot in DIR instead of dist/snapshot/
  SCHEME_HTTP_COMPILE=0           run programs in the LIPS interpreter instead of compiling them
  SCHEME_HTTP_TRACE_JS=1          print the JavaScript each form compiles to
  SCHEME_HTTP_TRACE_COMPILE=1     tell which procedures were compiled
  NODE_CLUSTER_SCHED_POLICY=none  with --workers, let the kernel hand connections to workers
                                  (default rr: the primary hands them round-robin)

Exit status:
  0    the program ended (or the REPL was left)
  N    the program called (exit N)
  2    a bad option, or a FILE that cannot be read
  70   an error the program did not handle (FILE:LINE: Error: ... on stderr); with --workers,
       a worker failed 3 times in a row at start-up (its status if it exited with one)
  130  interrupted (SIGINT, Ctrl-C)
  141  its output was closed by the reader (a pipe to head, say)
  143  terminated (SIGTERM)
`;
