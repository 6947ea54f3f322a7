// Benchmark anchor for the handler benchmark: node:http doing in JS what
// bench/scheme-handlers/table-server.scm does in Scheme. GET /table renders a
// 50-row HTML table on every request (a loop, string concatenation,
// number-to-string conversions), with the same body bytes and the same
// Server / Content-type / Content-length headers as the Scheme server.
// node:http adds its own Date, Connection and Keep-Alive headers.
// Listens on 127.0.0.1:$PORT.
import http from "node:http";

const port = Number(process.env.PORT ?? "8080");
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`bad PORT: ${process.env.PORT}`);
}

function renderTable(): string {
  let out = "<!DOCTYPE html>\n<html><head><title>Table</title></head><body>\n<table>\n";
  out += "<tr><th>n</th><th>n*n</th><th>hex</th><th>label</th></tr>\n";
  for (let i = 1; i <= 50; i++) {
    out += "<tr class=\"" + (i % 2 === 0 ? "even" : "odd") + "\"><td>" +
      String(i) + "</td><td>" +
      String(i * i) + "</td><td>" +
      (i * 4099).toString(16) + "</td><td>row-" +
      String(i) + "</td></tr>\n";
  }
  out += "</table>\n</body></html>";
  return out + "\n"; // the Scheme handler's `print` ends the body with a newline
}

const server = http.createServer((req, res) => {
  if (req.url !== "/table") {
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
    return;
  }
  const body = renderTable();
  res.writeHead(200, {
    "Server": "(Silly)",
    "Content-type": "text/html",
    "Content-length": String(Buffer.byteLength(body, "latin1")),
  });
  res.end(body, "latin1");
});

server.listen(port, "127.0.0.1", () => {
  console.log(`node:http table anchor listening on http://127.0.0.1:${port}/table`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
