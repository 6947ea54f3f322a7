/**
 * A replay server that answers as curl's test server (sws) does: on 127.0.0.1, it reads a whole
 * request (head, then any Content-Length body), sends the test's reply in writes of at most 20
 * bytes, and closes the connection after the reply only when the reply contains `swsclose` or is
 * empty; otherwise the connection stays open, as a real keep-alive server leaves it. It records
 * the request heads it received. `close()` ends every connection it accepted.
 */
import net from 'node:net';

const WRITE_SIZE = 20;
const MAX_REQUEST_HEAD = 64 * 1024;

export class CurlReplayServer {
  /** The heads of the requests received, as latin1 text up to and including the blank line. */
  readonly requests: string[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number, private readonly reply: Buffer) {}

  static start(reply: Buffer): Promise<CurlReplayServer> {
    return new Promise((resolve, reject) => {
      let self: CurlReplayServer | null = null;
      const server = net.createServer((socket) => self?.serve(socket));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address() as net.AddressInfo;
        self = new CurlReplayServer(server, addr.port, reply);
        resolve(self);
      });
    });
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    let bodyLeft = -1;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft < 0) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) {
            if (pending.length > MAX_REQUEST_HEAD) socket.destroy();
            return;
          }
          const head = pending.toString('latin1', 0, end + 4);
          this.requests.push(head);
          pending = pending.subarray(end + 4);
          bodyLeft = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1] ?? 0);
        }
        if (pending.length < bodyLeft) return;
        pending = pending.subarray(bodyLeft);
        bodyLeft = -1;
        this.send(socket);
      }
    });
  }

  /** The reply in writes of at most 20 bytes, then a close if sws would close. */
  private send(socket: net.Socket): void {
    for (let i = 0; i < this.reply.length; i += WRITE_SIZE) {
      socket.write(this.reply.subarray(i, i + WRITE_SIZE));
    }
    if (this.reply.length === 0 || this.reply.includes('swsclose')) socket.end();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
