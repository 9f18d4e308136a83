// Ports for the app servers the tests, the demo's checks and the benchmark start: chosen before
// the server binds them (the app's URL must be known to the store emulator first).
import { randomInt } from "node:crypto";
import net from "node:net";

const portsGiven = new Set<number>();
// Below Linux's ephemeral range (32768–60999): a port picked there and released could be taken by
// any outgoing connection before the app server binds it (EADDRINUSE in CI), which no port here
// can. Drawn at random, so the test files running side by side rarely draw the same one.
const PORTS = { from: 20_000, to: 32_000 };

/** A port nothing listens on, never the same twice in one process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = PORTS.from + randomInt(PORTS.to - PORTS.from);
    if (portsGiven.has(port)) continue;
    portsGiven.add(port);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
