import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ReactNode } from "react";
import { useEffect } from "react";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { setLaunch } from "~/admin/launch.server";
import { ReconciliationCard } from "~/components/reconciliation-card";
import { SetupGuide, type GuideAnswer } from "~/components/setup-guide";
import db from "~/db.server";
import { appEmbedDeepLink, SETUP_STEPS, type SetupStep } from "~/domain/setup";
import { glance, markSetup, setupGuide } from "~/models/dashboard.server";
import { lastReconciliation } from "~/models/reconcile.server";
import { pausedEndpoints } from "~/models/webhook-endpoints.server";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [figures, guide, reconciliation, paused] = await Promise.all([
    glance(db, session.shop),
    setupGuide(db, session.shop),
    lastReconciliation(db, session.shop),
    pausedEndpoints(db, session.shop),
  ]);
  return {
    ...figures,
    pausedEndpoints: paused.map((e) => e.url),
    guide,
    reconciliation,
    embedLink: appEmbedDeepLink(session.shop, process.env.SHOPIFY_API_KEY ?? ""),
  };
}

export async function action({ request }: ActionFunctionArgs): Promise<GuideAnswer> {
  const { session, sessionToken, admin } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "mark");
  if (intent === "pilot" || intent === "live") {
    const current = (await setupGuide(db, session.shop)).launch;
    const launch =
      intent === "pilot"
        ? { state: "pilot" as const, pilotTag: String(form.get("tag") ?? "") }
        : { ...current, state: "live" as const };
    const saved = await setLaunch(session.shop, launch, {
      actor: String(sessionToken?.sub ?? "staff"),
      graphql: async () => adminGraphqlClient(admin),
    });
    if (saved.status !== 200) return { ok: false, step: intent, errors: saved.errors };
    return {
      ok: true,
      step: intent,
      message:
        intent === "pilot"
          ? `Pilot started for customers tagged “${saved.document.launch.pilotTag}”`
          : "The club is live for everyone",
    };
  }
  const mark = String(form.get("mark") ?? "");
  if (![...SETUP_STEPS, "dismissed", "shown"].includes(mark)) return { ok: false };
  await markSetup(db, session.shop, mark as SetupStep | "dismissed" | "shown");
  return { ok: true };
}

const number = new Intl.NumberFormat("en");

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
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingXl" id={testId}>
        {number.format(value)}
      </Text>
      {children}
    </BlockStack>
  );
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const guide = useFetcher<GuideAnswer>({ key: "setup-guide" });
  useEffect(() => {
    if (guide.state === "idle" && guide.data?.message) shopify.toast.show(guide.data.message);
  }, [guide.state, guide.data, shopify]);
  return (
    <Page title="Loyalty Club">
      <Layout>
        {data.pausedEndpoints.length > 0 ? (
          <Layout.Section>
            <Banner
              tone="critical"
              title="A webhook endpoint is paused"
              action={{ content: "Open Integrations", url: "/app/integrations" }}
            >
              <p>
                {data.pausedEndpoints.join(", ")} failed for a day, so nothing more is sent to it. Fix the receiver, then resume
                it.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {!data.guide.dismissed ? (
          <Layout.Section>
            <SetupGuide guide={data.guide} embedLink={data.embedLink} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                At a glance
              </Text>
              <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
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
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <ReconciliationCard last={data.reconciliation} />
        </Layout.Section>
        <Layout.Section>
          <Box paddingInline={{ xs: "400", sm: "0" }} paddingBlockEnd="400">
            <Text as="p" tone="subdued" variant="bodySm">
              {number.format(data.memberOrders)} of {number.format(data.orders)} paid orders were by members.
              {data.guide.dismissed ? (
                <>
                  {" "}
                  <Button variant="plain" onClick={() => guide.submit({ mark: "shown" }, { method: "post" })}>
                    Show the setup guide
                  </Button>
                </>
              ) : null}
            </Text>
          </Box>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
