import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ReactNode } from "react";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import db from "~/db.server";
import { SETUP_STEPS, type SetupStep } from "~/domain/setup";
import { glance, markSetup, setupGuide } from "~/models/dashboard.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [figures, guide] = await Promise.all([glance(db, session.shop), setupGuide(db, session.shop)]);
  return { ...figures, guide };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const mark = String((await request.formData()).get("mark") ?? "");
  if (![...SETUP_STEPS, "dismissed", "shown"].includes(mark)) return { ok: false };
  await markSetup(db, session.shop, mark as SetupStep | "dismissed" | "shown");
  return { ok: true };
}

const number = new Intl.NumberFormat("en");

const STEPS: Record<SetupStep, { title: string; text: string; url: string; action: string }> = {
  program: {
    title: "Set how members earn",
    text: "Points per order, pending days, expiry, bonuses.",
    url: "/app/program",
    action: "Review program",
  },
  rewards: {
    title: "Add rewards",
    text: "What points buy: amounts off, free shipping, a free product.",
    url: "/app/rewards",
    action: "Add a reward",
  },
  tiers: { title: "Add VIP tiers", text: "Let your best customers earn faster.", url: "/app/tiers", action: "Add tiers" },
  members: {
    title: "Bring your members",
    text: "Import balances from a file, e.g. from an earlier program.",
    url: "/app/import-export",
    action: "Import",
  },
  launch: {
    title: "Launch",
    text: "Pilot with tagged customers, then open to everyone.",
    url: "/app/program",
    action: "Choose launch state",
  },
};

function Trend({ now, before }: { now: number; before: number }) {
  const change = before === 0 ? null : Math.round(((now - before) / before) * 100);
  return (
    <Text as="span" variant="bodySm" tone={change === null ? "subdued" : change >= 0 ? "success" : "critical"}>
      {change === null
        ? `${number.format(now)} in the last 30 days`
        : `${change >= 0 ? "+" : ""}${change}% vs the 30 days before`}
    </Text>
  );
}

function Stat({ label, value, testId, children }: { label: string; value: number; testId: string; children?: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl" id={testId}>
          {number.format(value)}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const guide = useFetcher();
  const done = SETUP_STEPS.filter((s) => data.guide.done[s]).length;
  const mark = (value: string) => guide.submit({ mark: value }, { method: "post" });
  return (
    <Page title="Loyalty Club">
      <Layout>
        {!data.guide.dismissed ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Set up your club
                  </Text>
                  <Button variant="plain" onClick={() => mark("dismissed")} accessibilityLabel="Dismiss the setup guide">
                    Dismiss
                  </Button>
                </InlineStack>
                <InlineStack gap="200" blockAlign="center">
                  <Text as="span" tone="subdued">
                    {done} of {SETUP_STEPS.length} done
                  </Text>
                  <div style={{ flex: 1, maxWidth: 240 }}>
                    <ProgressBar progress={(done / SETUP_STEPS.length) * 100} size="small" tone="success" />
                  </div>
                </InlineStack>
                <BlockStack gap="200">
                  {SETUP_STEPS.map((step) => (
                    <InlineStack key={step} align="space-between" blockAlign="center" wrap={false} gap="300">
                      <InlineStack gap="200" blockAlign="center" wrap={false}>
                        <span
                          aria-hidden="true"
                          style={{
                            display: "inline-grid",
                            placeItems: "center",
                            width: 20,
                            height: 20,
                            borderRadius: 10,
                            fontSize: 12,
                            color: "#fff",
                            background: data.guide.done[step]
                              ? "var(--p-color-bg-fill-success)"
                              : "var(--p-color-bg-fill-disabled)",
                          }}
                        >
                          ✓
                        </span>
                        <BlockStack>
                          <Text as="p" fontWeight="semibold">
                            {STEPS[step].title}
                          </Text>
                          <Text as="p" tone="subdued" variant="bodySm">
                            {STEPS[step].text}
                          </Text>
                        </BlockStack>
                      </InlineStack>
                      {data.guide.done[step] ? (
                        <Badge tone="success">Done</Badge>
                      ) : (
                        <InlineStack gap="200" wrap={false}>
                          <Link to={STEPS[step].url}>{STEPS[step].action}</Link>
                          <Button variant="plain" onClick={() => mark(step)}>
                            Mark done
                          </Button>
                        </InlineStack>
                      )}
                    </InlineStack>
                  ))}
                </BlockStack>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Stat label="Members" value={data.members} testId="stat-members">
              <Trend now={data.last30.joined} before={data.previous30.joined} />
            </Stat>
            <Stat label="Points issued" value={data.pointsIssued} testId="stat-issued">
              <Trend now={data.last30.pointsIssued} before={data.previous30.pointsIssued} />
            </Stat>
            <Stat label="Points outstanding" value={data.pointsOutstanding} testId="stat-outstanding">
              <Text as="span" variant="bodySm" tone="subdued">
                {number.format(data.pointsPending)} still pending
              </Text>
            </Stat>
            <Stat label="Redemptions" value={data.redemptions} testId="stat-redemptions">
              <Trend now={data.last30.redemptions} before={data.previous30.redemptions} />
            </Stat>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued" variant="bodySm">
            {number.format(data.memberOrders)} of {number.format(data.orders)} paid orders were by members.
            {data.guide.dismissed ? (
              <>
                {" "}
                <Button variant="plain" onClick={() => mark("shown")}>
                  Show the setup guide
                </Button>
              </>
            ) : null}
          </Text>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
