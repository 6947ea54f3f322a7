// Benchmark anchor: the upper bound of what node:net can push on this machine.
// It parses nothing: for every "\r\n\r\n" seen on a connection it writes one
// canned HTTP/1.1 200 response (same headers and body as the node:http
// anchor), so pipelined requests are answered too. Requests with bodies are
// not supported (wrk sends plain GETs). Listens on 127.0.0.1:$PORT.
import net from "node:net";

const BODY = "<h1>Hello, world!</h1>\n";
const RESPONSE = Buffer.from(
  "HTTP/1.1 200 OK\r\n" +
    "Content-Type: text/html\r\n" +
    `Content-Length: ${Buffer.byteLength(BODY)}\r\n` +
    "\r\n" +
    BODY,
  "latin1",
);
const TERMINATOR = Buffer.from("\r\n\r\n", "latin1");
const EMPTY = Buffer.alloc(0);

const port = Number(process.env.PORT ?? "8080");
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`bad PORT: ${process.env.PORT}`);
}

/** Count non-overlapping "\r\n\r\n" in `data`. */
function countTerminators(data: Buffer): number {
  let count = 0;
  let at = data.indexOf(TERMINATOR);
  while (at !== -1) {
    count++;
    at = data.indexOf(TERMINATOR, at + TERMINATOR.length);
  }
  return count;
}

const sockets = new Set<net.Socket>();

const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.setNoDelay(true);
  let tail: Buffer = EMPTY;
  socket.on("data", (chunk: Buffer) => {
    // `tail` holds up to 3 bytes of the previous chunk, so a terminator split
    // across two reads is still counted.
    const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
    const n = countTerminators(data);
    // Keep up to 3 trailing bytes that could start a split terminator, but
    // never bytes that were already part of a counted terminator.
    const lastEnd = n > 0 ? data.lastIndexOf(TERMINATOR) + TERMINATOR.length : 0;
    const keepFrom = Math.max(lastEnd, data.length - (TERMINATOR.length - 1));
    tail = keepFrom >= data.length ? EMPTY : Buffer.from(data.subarray(keepFrom));
    if (n === 1) {
      socket.write(RESPONSE);
    } else if (n > 1) {
      socket.write(Buffer.concat(Array<Buffer>(n).fill(RESPONSE)));
    }
  });
  socket.on("error", () => socket.destroy());
  socket.on("close", () => sockets.delete(socket));
});

server.listen(port, "127.0.0.1", () => {
  console.log(`raw-net anchor listening on http://127.0.0.1:${port}/`);
});

const stop = (): void => {
  server.close();
  for (const s of sockets) s.destroy();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
