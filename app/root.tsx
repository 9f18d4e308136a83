import { Links, Meta, Outlet, Scripts } from "@remix-run/react";

// No <ScrollRestoration>: it keeps positions in sessionStorage, which a browser that blocks
// third-party storage refuses inside the admin's frame, and then every client-side navigation fails.

export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {/* No favicon request (the admin shows its own). */}
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <Scripts />
      </body>
    </html>
  );
}
