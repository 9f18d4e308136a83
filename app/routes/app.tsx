import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { NavMenu, useAppBridge } from "@shopify/app-bridge-react";
import { Card, Layout, SkeletonBodyText, SkeletonDisplayText, SkeletonPage, BlockStack } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { useEffect, useState } from "react";
import adminStyles from "~/components/admin.css?url";
import { authenticate } from "~/shopify.server";

export const links = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: adminStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  // APP_BRIDGE_URL is honoured by @shopify/shopify-app-remix itself; offline it points at a stand-in.
  return { apiKey: process.env.SHOPIFY_API_KEY || "", appBridgeUrl: process.env.APP_BRIDGE_URL || null };
}

const TITLES: Array<[RegExp, string]> = [
  [/^\/app\/?$/, "Loyalty Club"],
  [/^\/app\/program/, "Program"],
  [/^\/app\/rewards/, "Rewards"],
  [/^\/app\/tiers/, "Tiers"],
  [/^\/app\/draws/, "Draws"],
  [/^\/app\/members-only/, "Members-only products"],
  [/^\/app\/members\/?$/, "Members"],
  [/^\/app\/analytics/, "Analytics"],
  [/^\/app\/import-export/, "Import and export"],
  [/^\/app\/integrations/, "Integrations"],
  [/^\/app\/system/, "System"],
];

/**
 * While a page's data is on its way: App Bridge's loading bar at once, and after a moment the
 * destination's skeleton (a fast navigation never flashes one).
 */
function usePendingPage(delayMs = 200): string | null {
  const navigation = useNavigation();
  const location = useLocation();
  const shopify = useAppBridge();
  const busy = navigation.state !== "idle";
  const target =
    navigation.state === "loading" && navigation.location.pathname !== location.pathname ? navigation.location.pathname : null;
  const [slow, setSlow] = useState<string | null>(null);
  useEffect(() => {
    shopify.loading(busy);
  }, [busy, shopify]);
  useEffect(() => {
    if (!target) return setSlow(null);
    const timer = setTimeout(() => setSlow(target), delayMs);
    return () => clearTimeout(timer);
  }, [target, delayMs]);
  return slow;
}

function PendingPage({ path }: { path: string }) {
  const title = TITLES.find(([pattern]) => pattern.test(path))?.[1];
  return (
    <SkeletonPage title={title} backAction={/^\/app\/members\/./.test(path)}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <SkeletonDisplayText size="small" />
              <div style={{ marginTop: "var(--p-space-400)" }}>
                <SkeletonBodyText lines={4} />
              </div>
            </Card>
            <Card>
              <SkeletonBodyText lines={6} />
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </SkeletonPage>
  );
}

function Frame() {
  const pending = usePendingPage();
  return pending ? <PendingPage path={pending} /> : <Outlet />;
}

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/program">Program</Link>
        <Link to="/app/rewards">Rewards</Link>
        <Link to="/app/tiers">Tiers</Link>
        <Link to="/app/draws">Draws</Link>
        <Link to="/app/members-only">Members-only</Link>
        <Link to="/app/members">Members</Link>
        <Link to="/app/analytics">Analytics</Link>
        <Link to="/app/import-export">Import/Export</Link>
        <Link to="/app/integrations">Integrations</Link>
        <Link to="/app/system">System</Link>
      </NavMenu>
      <Frame />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
