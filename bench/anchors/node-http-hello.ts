// Benchmark anchor: the plain node:http "hello world" server.
// Every request gets 200, Content-Type: text/html, Content-Length: 23 and the
// body "<h1>Hello, world!</h1>\n". Keep-alive is node:http's default.
// Listens on 127.0.0.1:$PORT.
import http from "node:http";

const BODY = Buffer.from("<h1>Hello, world!</h1>\n", "latin1");
const port = Number(process.env.PORT ?? "8080");
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`bad PORT: ${process.env.PORT}`);
}

const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    "Content-Type": "text/html",
    "Content-Length": String(BODY.length),
  });
  res.end(BODY);
});

server.listen(port, "127.0.0.1", () => {
  console.log(`node:http anchor listening on http://127.0.0.1:${port}/`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
