import { createServer, type AddressInfo } from 'node:net';

/**
 * A SOCKS5 proxy on 127.0.0.1 that answers every greeting "no acceptable authentication method" (RFC 1928 §3),
 * recording each greeting's protocol version (5 for SOCKS5): proof that a client went through the proxy.
 * Closed after the test.
 */
export async function refusingSocksProxy(t: { after(fn: () => Promise<void>): void }): Promise<{ url: string; greetings: number[] }> {
  const greetings: number[] = [];
  const proxy = createServer((socket) => {
    socket.once('data', (data) => {
      greetings.push(data[0]!);
      socket.end(Buffer.from([0x05, 0xff]));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  return { url: `socks5://127.0.0.1:${(proxy.address() as AddressInfo).port}`, greetings };
}
