import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  EmptyState,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { useEffect, useState, type ReactNode } from "react";
import db from "~/db.server";
import { barsOf, DEFINITIONS, PRESETS, type MetricName } from "~/domain/analytics";
import { displayMinorUnits } from "~/domain/money";
import { analyticsPage } from "~/models/analytics-page.server";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const page = await analyticsPage(db, session.shop, new URL(request.url));
  if (!page.ok) return { ok: false as const, errors: page.errors };
  return page;
}

type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { ok: true }>;
type Kind = "count" | "share" | "money" | "ratio" | "points";

const KINDS: Record<MetricName, Kind> = {
  participation_rate: "share",
  points_issued: "points",
  points_redeemed: "points",
  redemption_rate: "share",
  points_outstanding: "points",
  repeat_rate_members: "share",
  repeat_rate_non_members: "share",
  aov_members_minor: "money",
  aov_non_members_minor: "money",
  redemptions: "count",
  redemptions_used: "count",
  reward_discount_minor: "money",
  reward_revenue_minor: "money",
  referral_orders: "count",
  orders: "count",
  revenue_minor: "money",
  members_joined: "count",
  active_members: "count",
  points_expired: "points",
  liability_minor: "money",
  purchase_frequency_members: "ratio",
  purchase_frequency_non_members: "ratio",
  referral_links_shared: "count",
  referral_links_opened: "count",
  referral_conversion: "share",
};

const LABELS: Record<MetricName, string> = {
  participation_rate: "Participation",
  points_issued: "Points issued",
  points_redeemed: "Points redeemed",
  redemption_rate: "Redemption rate",
  points_outstanding: "Points outstanding",
  repeat_rate_members: "Repeat rate, members",
  repeat_rate_non_members: "Repeat rate, others",
  aov_members_minor: "Order value, members",
  aov_non_members_minor: "Order value, others",
  redemptions: "Redemptions",
  redemptions_used: "Codes used",
  reward_discount_minor: "Reward cost",
  reward_revenue_minor: "Revenue with rewards",
  referral_orders: "Referral orders",
  orders: "Orders",
  revenue_minor: "Revenue",
  members_joined: "Members joined",
  active_members: "Active members",
  points_expired: "Points expired",
  liability_minor: "Points liability",
  purchase_frequency_members: "Orders per customer, members",
  purchase_frequency_non_members: "Orders per customer, others",
  referral_links_shared: "Referral links shared",
  referral_links_opened: "Referral links opened",
  referral_conversion: "Referral conversion",
};

const SECTIONS: Array<{ title: string; metrics: MetricName[] }> = [
  {
    title: "Participation and sales",
    metrics: ["participation_rate", "active_members", "members_joined", "orders", "revenue_minor", "referral_orders"],
  },
  {
    title: "Members against others",
    metrics: [
      "repeat_rate_members",
      "repeat_rate_non_members",
      "aov_members_minor",
      "aov_non_members_minor",
      "purchase_frequency_members",
      "purchase_frequency_non_members",
    ],
  },
  {
    title: "Points",
    metrics: ["points_issued", "points_redeemed", "redemption_rate", "points_outstanding", "liability_minor", "points_expired"],
  },
  { title: "Rewards", metrics: ["redemptions", "redemptions_used", "reward_discount_minor", "reward_revenue_minor"] },
  { title: "Referrals", metrics: ["referral_links_shared", "referral_links_opened", "referral_conversion"] },
];

const integer = new Intl.NumberFormat("en");
function format(kind: Kind, value: number, currency: string) {
  if (kind === "share") return `${(value * 100).toFixed(1)}%`;
  if (kind === "money") return displayMinorUnits(value, currency);
  if (kind === "ratio") return value.toFixed(2);
  return integer.format(value);
}

function change(current: number, previous: number) {
  if (previous === 0) return current === 0 ? "no change" : "new";
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;
}

function Figure({ name, data }: { name: MetricName; data: Loaded }) {
  const { current, previous, context } = data.report;
  const kind = KINDS[name];
  const value = current.metrics[name].value;
  const before = previous.metrics[name].value;
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {LABELS[name]}
        </Text>
        <InlineStack gap="200" blockAlign="baseline">
          <Text as="p" variant="headingLg">
            {format(kind, value, context.currency)}
          </Text>
          <Text as="span" tone="subdued">
            {format(kind, before, context.currency)} before · {change(value, before)}
          </Text>
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          {DEFINITIONS[name]}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** Charts render in the browser only (they measure their box). */
function ClientOnly({ children, height = 240 }: { children: () => ReactNode; height?: number }) {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return <div style={{ height }}>{ready ? children() : null}</div>;
}

function ChartCard({ title, definition, children }: { title: string; definition: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          {title}
        </Text>
        {children}
        <Text as="p" variant="bodySm" tone="subdued">
          {definition}
        </Text>
      </BlockStack>
    </Card>
  );
}

async function download(path: string, filename: string) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`export failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function ExportButton({ table, query }: { table: string; query: string }) {
  return (
    <Button variant="plain" onClick={() => download(`/app/export/analytics/${table}.csv?${query}`, `loyalty-${table}.csv`)}>
      Export CSV
    </Button>
  );
}

function RangePicker({ preset, from, to }: { preset: string; from: string; to: string }) {
  const navigate = useNavigate();
  const [custom, setCustom] = useState({ from, to });
  useEffect(() => setCustom({ from, to }), [from, to]);
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <Select
        label="Date range"
        options={[...PRESETS.map((p) => ({ label: p.label, value: p.id })), { label: "Custom", value: "custom" }]}
        value={preset}
        onChange={(value) => (value === "custom" ? null : navigate(`?preset=${value}`))}
      />
      <TextField
        label="From"
        type="date"
        value={custom.from}
        onChange={(v) => setCustom({ ...custom, from: v })}
        autoComplete="off"
      />
      <TextField label="To" type="date" value={custom.to} onChange={(v) => setCustom({ ...custom, to: v })} autoComplete="off" />
      <Button onClick={() => navigate(`?from=${custom.from}&to=${custom.to}`)}>Apply</Button>
    </InlineStack>
  );
}

interface LongTables {
  cohorts: Array<{ cohort: string; members: number; retention: number[] }>;
  segments: Array<{ segment: string; members: number; revenueMinor: number; meanRevenueMinor: number }>;
}

function useLongTables() {
  const [tables, setTables] = useState<LongTables | null | "failed">(null);
  useEffect(() => {
    fetch("/app/api/analytics/long")
      .then((res) => (res.ok ? res.json() : Promise.reject(new Error(String(res.status)))))
      .then(setTables, () => setTables("failed"));
  }, []);
  return tables;
}

export default function AnalyticsPage() {
  const data = useLoaderData<typeof loader>();
  const long = useLongTables();
  if (!data.ok) {
    return (
      <Page title="Analytics">
        <Banner tone="critical" title="That date range cannot be shown">
          <ul>
            {data.errors.map((e) => (
              <li key={e.path}>
                {e.path}: {e.message}
              </li>
            ))}
          </ul>
        </Banner>
      </Page>
    );
  }
  const { report, range, rewards, referrals, tiers, tierMoves } = data;
  const { current, previous, context, holdout } = report;
  const money = (minor: number) => displayMinorUnits(minor, context.currency);
  const query = `from=${current.from}&to=${current.to}`;
  const daily = (pick: (d: (typeof current.series)[number]) => number) =>
    current.series.map((d) => ({ key: d.date, value: pick(d) }));
  // Bars stay legible over long ranges: a bar a week (or month) from its first day.
  const bars = (pick: (d: (typeof current.series)[number]) => number) => barsOf(daily(pick)).bars;
  const { width } = barsOf(daily((d) => d.joined));
  const per = width === 1 ? "per day" : `per ${width} days`;
  const empty = current.metrics.orders.value === 0 && previous.metrics.orders.value === 0;

  return (
    <PolarisVizProvider>
      <Page
        title="Analytics"
        subtitle={`${current.from} to ${current.to} (${context.timeZone}), beside ${previous.from} to ${previous.to}`}
        secondaryActions={[
          {
            content: "Export figures (CSV)",
            onAction: () => download(`/app/export/analytics/metrics.csv?${query}`, "loyalty-metrics.csv"),
          },
        ]}
      >
        <BlockStack gap="500">
          <Card>
            <RangePicker preset={range.preset} from={current.from} to={current.to} />
          </Card>
          {empty ? (
            <Card>
              <EmptyState heading="No orders in this range yet" image="">
                <p>Figures appear as paid orders arrive. Pick a longer range, or come back after your next sales.</p>
              </EmptyState>
            </Card>
          ) : null}

          {SECTIONS.map((section) => (
            <BlockStack gap="300" key={section.title}>
              <Text as="h2" variant="headingMd">
                {section.title}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="300">
                {section.metrics.map((name) => (
                  <Figure key={name} name={name} data={data} />
                ))}
              </InlineGrid>
            </BlockStack>
          ))}

          <Layout>
            <Layout.Section variant="oneHalf">
              <ChartCard
                title="Orders per day"
                definition="Member orders (orders that earned points) and all orders paid each day, not cancelled."
              >
                <ClientOnly>
                  {() => (
                    <LineChart
                      theme="Light"
                      data={[
                        { name: "All orders", data: daily((d) => d.orders) },
                        { name: "Member orders", data: daily((d) => d.memberOrders) },
                      ]}
                    />
                  )}
                </ClientOnly>
              </ChartCard>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard title={`Members joined ${per}`} definition={DEFINITIONS.members_joined}>
                <ClientOnly>
                  {() => <BarChart theme="Light" data={[{ name: "Joined", data: bars((d) => d.joined) }]} />}
                </ClientOnly>
              </ChartCard>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard
                title="Points outstanding"
                definition="All members' available and pending points at the end of each day."
              >
                <ClientOnly>
                  {() => <LineChart theme="Light" data={[{ name: "Outstanding", data: daily((d) => d.outstanding) }]} />}
                </ClientOnly>
              </ChartCard>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard
                title={`Points issued and expired ${per}`}
                definition={`${DEFINITIONS.points_issued} ${DEFINITIONS.points_expired}`}
              >
                <ClientOnly>
                  {() => (
                    <BarChart
                      theme="Light"
                      data={[
                        { name: "Issued", data: bars((d) => d.pointsIssued) },
                        { name: "Expired", data: bars((d) => d.pointsExpired) },
                      ]}
                    />
                  )}
                </ClientOnly>
              </ChartCard>
            </Layout.Section>
          </Layout>

          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Is the club worth it? Members against the holdout
                </Text>
                <Badge>{context.holdoutPercent > 0 ? `Holdout: ${context.holdoutPercent}% of customers` : "No holdout"}</Badge>
              </InlineStack>
              {context.holdoutPercent === 0 ? (
                <Text as="p">
                  Keep a holdout (Program → Analytics: a share of customers, e.g. 5%, never invited to the club) to measure what
                  the club adds: comparing members with customers who chose not to join says little, since joiners differ by
                  choice.
                </Text>
              ) : !holdout.ready ? (
                <Banner tone="info" title="Not enough holdout orders yet">
                  <p>{holdout.reason}</p>
                </Banner>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric"]}
                  headings={["Per customer with an order in the period", "Members", "Holdout"]}
                  rows={[
                    [
                      "Revenue per customer",
                      money(holdout.revenuePerCustomer.members),
                      money(holdout.revenuePerCustomer.holdout),
                    ],
                    [
                      "Repeat rate",
                      `${(holdout.repeatRate.members * 100).toFixed(1)}%`,
                      `${(holdout.repeatRate.holdout * 100).toFixed(1)}%`,
                    ],
                    ["Order value", money(holdout.aov.members), money(holdout.aov.holdout)],
                  ]}
                />
              )}
              {holdout.ready ? (
                <BlockStack gap="100">
                  <Text as="p">
                    Incremental revenue: <b>{money(holdout.incrementalRevenue.value)}</b> (95% interval{" "}
                    {money(holdout.incrementalRevenue.low)} to {money(holdout.incrementalRevenue.high)}); at a{" "}
                    {context.grossMarginPercent}% margin, {money(holdout.incrementalMargin)} of gross margin against{" "}
                    {money(holdout.programCost)} of reward cost.
                  </Text>
                  <Text as="p" variant="headingMd">
                    ROI: {holdout.roi === null ? "the program cost nothing in this period" : `${(holdout.roi * 100).toFixed(0)}%`}
                  </Text>
                  <Text as="p" variant="bodySm" tone="subdued">
                    Incremental revenue = (members' − holdout's revenue per customer) × members with an order; ROI = (incremental
                    gross margin − program cost) ÷ program cost, the program cost being the reward codes' discount in the period.
                  </Text>
                </BlockStack>
              ) : null}
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Redemptions by reward
                </Text>
                <ExportButton table="rewards" query={query} />
              </InlineStack>
              {rewards.length === 0 ? (
                <Text as="p" tone="subdued">
                  No rewards were redeemed in this range.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={[
                    "text",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                  ]}
                  headings={[
                    "Reward",
                    "Redeemed",
                    "Codes used",
                    "Unused",
                    "Expired",
                    "Points spent",
                    "Discount given",
                    "Revenue",
                    "Hours to use",
                  ]}
                  rows={rewards.map((r) => [
                    r.name,
                    r.redeemed,
                    r.used,
                    r.unused,
                    r.expired,
                    integer.format(r.pointsSpent),
                    money(r.discountMinor),
                    money(r.revenueMinor),
                    r.hoursToUse ?? "—",
                  ])}
                />
              )}
              <Text as="p" variant="bodySm" tone="subdued">
                Redemptions created in the range (not failed); a code is used once a paid order carries it, expired when unused
                past its end date. Revenue: the subtotal less refunds of the orders that used it; hours to use: mean time from
                redemption to that order.
              </Text>
            </BlockStack>
          </Card>

          <Layout>
            <Layout.Section variant="oneHalf">
              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between">
                    <Text as="h2" variant="headingMd">
                      Referrals
                    </Text>
                    <ExportButton table="referrals" query={query} />
                  </InlineStack>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={["", "In the range"]}
                    rows={[
                      ["Links shared", referrals.linksShared],
                      ["Links opened", referrals.linksOpened],
                      ["Conversion (rewarded ÷ links opened)", `${(referrals.openConversion * 100).toFixed(1)}%`],
                      ["Friends' first orders", referrals.friendsFirstOrders],
                      ["Rewarded", referrals.rewarded],
                      ["Conversion (rewarded ÷ first orders)", `${(referrals.conversion * 100).toFixed(1)}%`],
                      ...referrals.refused.map((r) => [`Refused: ${r.reason.replace(/_/g, " ")}`, r.friends]),
                      ["Orders of referred customers", referrals.referredOrders],
                      ["Revenue of referred customers", money(referrals.referredRevenueMinor)],
                      [
                        "Referrer rewards given (points)",
                        `${referrals.rewardsGiven} (${integer.format(referrals.rewardPoints)})`,
                      ],
                    ]}
                  />
                  <Text as="p" variant="bodySm" tone="subdued">
                    Shared: a member copied or shared their link from the launcher; opened: a page load through a link with a
                    valid code. A friend counts once, on their first paid order with a member's code; the fraud rules refuse
                    self-referrals and friends who ordered before.
                  </Text>
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between">
                    <Text as="h2" variant="headingMd">
                      Tiers
                    </Text>
                    <ExportButton table="tiers" query={query} />
                  </InlineStack>
                  <ClientOnly height={200}>
                    {() => (
                      <BarChart
                        theme="Light"
                        direction="horizontal"
                        data={[{ name: "Members", data: tiers.map((t) => ({ key: t.tier, value: t.members })) }]}
                      />
                    )}
                  </ClientOnly>
                  <Text as="p" variant="bodySm" tone="subdued">
                    Active members by the tier their lifetime points reach today.
                  </Text>
                  <Text as="h3" variant="headingSm">
                    Movement in the range: {tierMoves.up} up, {tierMoves.down} down
                  </Text>
                  <InlineStack align="end">
                    <ExportButton table="tier_moves" query={query} />
                  </InlineStack>
                  {tierMoves.moves.length === 0 ? (
                    <Text as="p" tone="subdued">
                      No member changed tier in this range.
                    </Text>
                  ) : (
                    <DataTable
                      columnContentTypes={["text", "text", "text", "numeric"]}
                      headings={["From", "To", "", "Members"]}
                      rows={tierMoves.moves.map((m) => [m.from, m.to, m.direction === "up" ? "↑ up" : "↓ down", m.members])}
                    />
                  )}
                  <Text as="p" variant="bodySm" tone="subdued">
                    Members whose tier changed in the range, from the tier before their first change to the tier after their last
                    (a member back where they started did not move); up or down by the tiers' thresholds at the time.
                  </Text>
                </BlockStack>
              </Card>
            </Layout.Section>
          </Layout>

          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Retention by enrolment month
                </Text>
                <ExportButton table="cohorts" query={query} />
              </InlineStack>
              {long === null ? (
                <Text as="p" tone="subdued">
                  Loading a year of orders…
                </Text>
              ) : long === "failed" ? (
                <Text as="p" tone="critical">
                  The retention table could not be loaded; reload the page to try again.
                </Text>
              ) : long.cohorts.length === 0 ? (
                <Text as="p" tone="subdued">
                  No member joined in the last 12 months.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", ...long.cohorts[0]!.retention.map(() => "numeric" as const)]}
                  headings={["Joined", "Members", ...long.cohorts[0]!.retention.map((_, i) => `Month ${i}`)]}
                  rows={long.cohorts.map((c) => [
                    c.cohort,
                    c.members,
                    ...long.cohorts[0]!.retention.map((_, i) =>
                      i < c.retention.length ? `${(c.retention[i]! * 100).toFixed(0)}%` : "",
                    ),
                  ])}
                />
              )}
              <Text as="p" variant="bodySm" tone="subdued">
                Of the members who joined in a month, the share with a member order in each month since (month 0: the month they
                joined).
              </Text>
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Customer value (RFM)
                </Text>
                <InlineStack gap="300">
                  <ExportButton table="segments" query={query} />
                  <Button variant="plain" onClick={() => download("/app/export/analytics/rfm.csv", "loyalty-rfm.csv")}>
                    Export members by segment
                  </Button>
                </InlineStack>
              </InlineStack>
              {long && long !== "failed" ? (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={["Segment", "Members", "Revenue", "Per member"]}
                  rows={long.segments.map((s) => [s.segment, s.members, money(s.revenueMinor), money(s.meanRevenueMinor)])}
                />
              ) : null}
              <Text as="p" variant="bodySm" tone="subdued">
                Members with an order in the last 365 days, scored 1–5 by quintile on recency (last order), frequency (orders) and
                monetary value (subtotal less refunds); Champions: recent and high on both, Lost: neither recent nor frequent nor
                high.
              </Text>
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Satisfaction
              </Text>
              {data.satisfaction.responses === 0 ? (
                <Text as="p" tone="subdued">
                  No answers in this period yet. Shoppers answer "How likely are you to recommend us?" (0–10) on the thank-you
                  page once the app's thank-you block is in your checkout.
                </Text>
              ) : (
                <>
                  <InlineStack gap="800">
                    <Text as="p" variant="headingLg">
                      NPS {data.satisfaction.nps}
                    </Text>
                    <Text as="p">
                      {data.satisfaction.responses} answers · mean {data.satisfaction.mean} · {data.satisfaction.promoters}{" "}
                      promoters, {data.satisfaction.passives} passives, {data.satisfaction.detractors} detractors
                    </Text>
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    Net Promoter Score: the share of answers 9–10 less the share 0–6, in points (−100 to 100), over the answers
                    given in the period (one per order).
                  </Text>
                </>
              )}
            </BlockStack>
          </Card>
          <Box paddingBlockEnd="400" />
        </BlockStack>
      </Page>
    </PolarisVizProvider>
  );
}
