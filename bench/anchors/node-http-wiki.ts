// Benchmark anchor for the handler benchmark's `wiki` group: node:http doing in JS what
// examples/wiki.scm does in Scheme for GET /wiki/NAME. The page store holds the page's source
// text (the same Home page the Scheme program creates at start-up), and every request renders it
// again, as the Scheme handler does: the path matched with a regex, the page looked up in a Map,
// the text HTML-escaped and its markup turned into HTML with regex replacements, the layout
// concatenated, the Last-Modified date formatted. Same body bytes and the same Server /
// Last-Modified / Content-type / Content-length headers as the Scheme server (Last-Modified
// differs only in the start-up second), and the same log line per request on stderr.
// node:http adds its own Date, Connection and Keep-Alive.
// Listens on 127.0.0.1:$PORT.
import http from "node:http";

const port = Number(process.env.PORT ?? "8080");
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`bad PORT: ${process.env.PORT}`);
}

interface Page { title: string; text: string; revision: number; time: number }

const pages = new Map<string, Page>();
pages.set("Home", {
  title: "Home",
  text: "Welcome to the **wiki**.\n\nEvery page has an edit link. Try the markup in the [[Sandbox]]: " +
    "**bold** text, links like [[Home]], and a blank line between paragraphs.",
  revision: 1,
  time: Math.floor(Date.now() / 1000),
});

// The wiki's html-escape and markup rules, in the same order.
const ESCAPES: Array<[RegExp, string]> = [[/&/g, "&amp;"], [/</g, "&lt;"], [/>/g, "&gt;"], [/"/g, "&quot;"]];
const MARKUP: Array<[RegExp, string]> = [
  [/\r\n/g, "\n"],
  [/\*\*([^*\n]+)\*\*/g, "<b>$1</b>"],
  [/\[\[([A-Za-z0-9_-]+)\]\]/g, "<a href=\"/wiki/$1\">$1</a>"],
  [/\n\n+/g, "</p>\n<p>"],
];
const PATH = /^\/(wiki|edit)\/([A-Za-z0-9_-]+)$/;

function substituteAll(s: string, rules: Array<[RegExp, string]>): string {
  for (const [re, to] of rules) s = s.replace(re, to);
  return s;
}

function layout(title: string, ...body: string[]): string {
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + substituteAll(title, ESCAPES) +
    "</title></head>\n<body>\n" + body.join("") + "\n<hr><a href=\"/\">All pages</a>\n</body></html>\n";
}

function renderPage(page: Page): string {
  return layout(page.title,
    "<h1>", page.title, "</h1>\n",
    "<p>" + substituteAll(substituteAll(page.text, ESCAPES), MARKUP) + "</p>",
    "\n<p>Revision ", String(page.revision), " | <a href=\"/edit/", page.title, "\">Edit</a></p>");
}

const server = http.createServer((req, res) => {
  const m = PATH.exec((req.url ?? "/").split("?")[0]!);
  const page = m !== null && m[1] === "wiki" && req.method === "GET" ? pages.get(m[2]!) : undefined;
  if (page === undefined) {
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
    return;
  }
  // Content-length counts UTF-8 bytes, as string-length does on the Scheme side (strings are bytes).
  const body = Buffer.from(renderPage(page), "utf8");
  res.writeHead(200, {
    "Server": "(Silly)",
    "Last-Modified": new Date(page.time * 1000).toUTCString(),
    "Content-type": "text/html; charset=utf-8",
    "Content-length": String(body.length),
  });
  res.end(body);
  // The wiki's log hook: one line per request on stderr.
  process.stderr.write(`${req.socket.remoteAddress} ${req.method} ${req.url}\n`);
});

server.listen(port, "127.0.0.1", () => {
  console.log(`node:http wiki anchor listening on http://127.0.0.1:${port}/wiki/Home`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
