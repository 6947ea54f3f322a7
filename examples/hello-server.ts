/**
 * The seed's hello-world server, in the TypeScript API: the handler writes raw header lines
 * and the body to its connection, as the egg's handler does with `print`.
 *
 * It imports the package by its name, as a project that installed scheme-http does, so it can
 * be copied into one as it is. In this checkout the name resolves to the package itself
 * (package.json "exports"): to dist/ after `npm run build`, or to src/ under the condition
 * `scheme-http-source` (`npm run start:ts`; tsconfig.json sets it for tsc).
 */
import { createServer } from 'scheme-http';

const port = Number(process.env.PORT ?? 4242);
const server = createServer({ port, host: process.env.HOST ?? null, debug: process.env.DEBUG === '1' });

server.addResource(['/', '/index.html'], (_request, _args, ex) => {
  const msg = '<h1>Hello, world!</h1>';
  ex.write(`Content-type: text/html\r\nContent-length: ${msg.length + 1}\r\n\r\n${msg}\n`);
});

await server.start();
process.stderr.write(`hello-server listening on port ${server.port}\n`);

const stop = (): void => { void server.stop({ timeout: 2000 }).then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
