import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Text,
  useBreakpoints,
} from "@shopify/polaris";
import db from "~/db.server";
import { retryDeadLetter, systemStatus } from "~/models/dashboard.server";
import { count } from "~/domain/wording";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return systemStatus(db, session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const jobId = Number(form.get("jobId"));
  if (!Number.isSafeInteger(jobId)) return { ok: false, error: "Choose a webhook to retry." };
  const ok = await retryDeadLetter(db, session.shop, jobId);
  return ok ? { ok: true } : { ok: false, error: "That webhook is no longer waiting for a retry." };
}

const number = new Intl.NumberFormat("en");
const time = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "medium" }) : "—";

const STATUS = {
  done: { label: "Processed", tone: "success" },
  skipped: { label: "Skipped", tone: undefined },
  dead: { label: "Failed", tone: "critical" },
} as const;
const status = (s: string) => STATUS[s as keyof typeof STATUS] ?? { label: s, tone: undefined };

export default function SystemPage() {
  const data = useLoaderData<typeof loader>();
  const retry = useFetcher<typeof action>();
  const { smDown } = useBreakpoints();
  return (
    <Page title="System" subtitle="Webhooks from Shopify: what was processed, and what could not be.">
      <BlockStack gap="500">
        {data.deadLetters.count > 0 ? (
          <Banner tone="critical" title={`${count(data.deadLetters.count, "webhook")} could not be processed`}>
            <BlockStack gap="200">
              <p>They are kept below. Retry one after fixing its cause; nothing is applied twice.</p>
              {data.deadLetters.latest.map((job) => (
                <retry.Form method="post" key={job.id}>
                  <input type="hidden" name="jobId" value={job.id} />
                  <Text as="span">
                    {job.topic} · {time(job.receivedAt)} · {job.lastError}
                  </Text>{" "}
                  <Button submit size="slim" loading={retry.state !== "idle"}>
                    Retry
                  </Button>
                </retry.Form>
              ))}
              {retry.data && !retry.data.ok ? (
                <Text as="p" tone="critical">
                  {retry.data.error}
                </Text>
              ) : null}
            </BlockStack>
          </Banner>
        ) : null}
        <Layout>
          <Layout.Section>
            <Card padding="0">
              <BlockStack gap="200">
                <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
                  <Text as="h2" variant="headingMd">
                    Last webhooks processed
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {data.inboxOpen > 0 ? `${number.format(data.inboxOpen)} waiting to be processed` : "Nothing waiting"}
                  </Text>
                </div>
                {data.recent.length === 0 ? (
                  <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                    <Text as="p" tone="subdued">
                      No webhooks yet. Shopify sends one when an order is paid, refunded or cancelled.
                    </Text>
                  </div>
                ) : smDown ? (
                  // A phone: each webhook on two lines, no sideways scrolling.
                  <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
                    {data.recent.map((job) => (
                      <li
                        key={job.id}
                        style={{
                          padding: "var(--p-space-300) var(--p-space-400)",
                          borderTop: "var(--p-border-width-025) solid var(--p-color-border-secondary)",
                        }}
                      >
                        <InlineStack align="space-between" blockAlign="center">
                          <Text as="span" fontWeight="medium">
                            {job.topic}
                          </Text>
                          <Badge tone={status(job.status).tone}>{status(job.status).label}</Badge>
                        </InlineStack>
                        <Text as="p" tone="subdued" variant="bodySm">
                          Received {time(job.receivedAt)} · {count(job.attempts, "attempt")}
                        </Text>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "text"]}
                    headings={["Topic", "Status", "Attempts", "Received", "Processed"]}
                    rows={data.recent.map((job) => [
                      job.topic,
                      <Badge key={job.id} tone={status(job.status).tone}>
                        {status(job.status).label}
                      </Badge>,
                      job.attempts,
                      time(job.receivedAt),
                      time(job.processedAt),
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}
