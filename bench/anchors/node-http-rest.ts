// Benchmark anchor for the `rest` handler benchmark: node:http doing in JS what
// examples/rest-service.scm does when started with 20 sample items. GET /items
// sorts the ids of the items in the store (a Map), collects the items and
// serialises them to JSON on every request, answering the same body bytes with
// the same Server / Content-Type / Content-Length headers as the Scheme server.
// node:http adds its own Date, Connection and Keep-Alive headers.
// Listens on 127.0.0.1:$PORT.
import http from "node:http";

const port = Number(process.env.PORT ?? "8080");
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`bad PORT: ${process.env.PORT}`);
}

interface Item {
  id: number;
  name: string;
  price: number;
  tags: string[];
  inStock: boolean;
  note: string;
}

// The sample items of examples/rest-service.scm, in the same member order.
const items = new Map<number, Item>();
for (let i = 1; i <= 20; i++) {
  items.set(i, {
    id: i,
    name: `item ${i}`,
    price: i * 125,
    tags: ["sample", i % 2 === 0 ? "even" : "odd"],
    inStock: i % 2 === 1,
    note: "Grüße, \"quoted\"\nsecond line",
  });
}

function allItems(): Item[] {
  return [...items.keys()].sort((a, b) => a - b).map((id) => items.get(id)!);
}

const server = http.createServer((req, res) => {
  if (req.url !== "/items" || req.method !== "GET") {
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(allItems()), "utf8");
  res.writeHead(200, {
    "Server": "(Silly)",
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
  });
  res.end(body);
});

server.listen(port, "127.0.0.1", () => {
  console.log(`node:http rest anchor listening on http://127.0.0.1:${port}/items`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
