import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, List, Page, Text } from "@shopify/polaris";
import db from "~/db.server";
import { actorLabel } from "~/domain/wording";
import { programVersions } from "~/models/program.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return { versions: await programVersions(db, session.shop) };
}

export default function ProgramHistoryPage() {
  const { versions } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Program history"
      subtitle="Every save is a new version. Points already earned keep the version they were earned under."
      backAction={{ content: "Program", url: "/app/program" }}
    >
      <BlockStack gap="300">
        {versions.map((v, i) => (
          <Card key={v.version}>
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center" wrap>
                <Text as="h2" variant="headingMd">
                  Version {v.version}
                </Text>
                {i === 0 ? <Badge tone="success">Current</Badge> : null}
                <Text as="span" tone="subdued">
                  {new Date(v.createdAt).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" })} ·{" "}
                  {v.createdBy === "system" ? "Installed with the default program" : actorLabel(v.createdBy)}
                </Text>
              </InlineStack>
              {v.changes.length ? (
                <List>
                  {v.changes.map((c, j) => (
                    <List.Item key={`${c.path}-${j}`}>{c.text}</List.Item>
                  ))}
                </List>
              ) : (
                <Text as="p" tone="subdued">
                  {i === versions.length - 1 && v.version === 1 ? "The first version." : "Saved without changes."}
                </Text>
              )}
            </BlockStack>
          </Card>
        ))}
      </BlockStack>
    </Page>
  );
}
