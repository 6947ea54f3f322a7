/**
 * The REPL, driven through a piped stdin: define a resource, start a server in a thread on a
 * free 127.0.0.1 port, query it with http:GET, redefine the resource and see the new answer;
 * multi-line input; an error does not end the REPL; EOF ends it with status 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Repl } from './child.js';
import { freePort } from '../support/client-fixtures.js';

let repl: Repl | null = null;
afterEach(() => {
  repl?.kill();
  repl = null;
});

describe('the REPL over a pipe', () => {
  it('serves from a thread while resources are redefined', async () => {
    const port = await freePort();
    const r = (repl = new Repl());
    r.send('(use http-server http-client)');
    r.send(String.raw`(http:add-resource "/r" (lambda (req args) (display "Content-type: text/plain\r\n\r\nfirst answer")))`);
    r.send(`(define server (thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1"))))))`);
    // Bounded wait for the server inside Scheme: retry the connection for at most 2 s.
    r.send(`(define (fetch) (let loop ((i 0)) (condition-case (http:GET "127.0.0.1:${port}/r") (e (exn) (if (< i 100) (begin (thread-sleep! 0.02) (loop (+ i 1))) (raise e))))))`);
    r.send('(print "got: " (fetch))');
    await r.waitFor('got: first answer\n');
    let mark = r.stdout.length;
    // The new handler, over several lines.
    r.send('(http:add-resource "/r"');
    r.send('  (lambda (req args)');
    r.send(String.raw`    (display "Content-type: text/plain\r\n\r\nsecond answer")))`);
    r.send('(print "got: " (fetch))');
    expect(await r.waitFor('got: second answer\n', mark)).toBe('got: second answer\n');
    mark = r.stdout.length;
    r.send('(thread-state server)');
    expect(await r.waitFor('\n', mark)).toBe('ready\n');
    expect(await r.end()).toBe(0);
    expect(r.stdout).toBe('got: first answer\ngot: second answer\nready\n');
    expect(r.stderr).toBe('');
  });

  it('prints values, reads multi-line input, survives errors, and exits 0 at EOF', async () => {
    const r = (repl = new Repl());
    r.send('(define x 10)');
    r.send('(+ x');
    r.send('   5)');
    await r.waitFor('15\n');
    r.send('(car (quote ()))');
    await r.waitFor(/Error: [^\n]+\n/);
    r.send("(error 'here \"went wrong\" 1 \"s\")");
    await r.waitFor('Error: (here) went wrong: 1 "s"\n');
    r.send(')');
    await r.waitFor('Error: syntax error: unexpected )\n');
    r.send('(display "still alive") (newline)');
    await r.waitFor('still alive\n');
    r.send('"a string" (values 1 2) (if #f #f)');
    r.send('(define (f n)');
    r.send('  #| a comment');
    r.send('     over lines ) |#');
    r.send('  (* n 2))');
    r.send('(f 21)');
    r.send('(display "no newline")');
    r.send('x');
    await r.waitFor('no newline\n10\n');
    expect(await r.end()).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '15',
      expect.stringMatching(/^Error: /),
      'Error: (here) went wrong: 1 "s"',
      'Error: syntax error: unexpected )',
      'still alive',
      '"a string"',
      '1',
      '2',
      '42',
      'no newline',
      '10',
      '',
    ]);
  });

  it('prints no prompt when stdin is not a terminal, and reports input left open at EOF', async () => {
    const r = (repl = new Repl());
    r.send('(display "a")');
    r.send('(display (+ 1');
    await r.waitFor('a');
    expect(await r.end()).toBe(0);
    expect(r.stdout).toBe('a\nError: syntax error: unterminated list: the ( on line 1 is not closed\n');
  });
});
