import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
}

export default function Landing() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Loyalty Club</h1>
      <p>A customer loyalty program for Shopify stores: points, rewards and VIP tiers.</p>
      <p>Install it from the Shopify App Store, then open it from your store's admin.</p>
    </main>
  );
}
