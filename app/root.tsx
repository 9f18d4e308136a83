import { Links, Meta, Outlet, Scripts } from "@remix-run/react";
import { useEffect } from "react";

// No <ScrollRestoration>: it keeps positions in sessionStorage, which a browser that blocks
// third-party storage refuses inside the admin's frame, and then every client-side navigation fails.

export default function App() {
  // Marks the page as interactive: input before hydration is lost (a select changed before React
  // listens navigates nowhere), so browser tests wait for this before they act.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "";
  }, []);
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
