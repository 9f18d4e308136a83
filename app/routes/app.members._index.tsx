import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Text,
  TextField,
  useBreakpoints,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import db from "~/db.server";
import { listMembers } from "~/models/member-admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const query = url.searchParams.get("query") ?? "";
  const cursor = url.searchParams.get("cursor");
  return { query, cursor, ...(await listMembers(db, session.shop, { query, cursor })) };
}

const number = new Intl.NumberFormat("en");

export default function MembersPage() {
  const { members, nextCursor, query, cursor } = useLoaderData<typeof loader>();
  const [, setParams] = useSearchParams();
  const [text, setText] = useState(query);
  const navigate = useNavigate();
  const { smDown } = useBreakpoints();
  const navigation = useNavigation();
  const location = useLocation();
  // Leaving the list (a member was opened) cancels a search still waiting to be sent, which would
  // otherwise bring the merchant back to the list.
  const leaving = Boolean(navigation.location && navigation.location.pathname !== location.pathname);
  const searching = navigation.state === "loading" && navigation.location?.pathname === location.pathname;
  const search = (value: string) => setParams(value ? { query: value } : {}, { replace: true });
  useEffect(() => {
    if (text === query || leaving) return;
    const timer = setTimeout(() => search(text), 300);
    return () => clearTimeout(timer);
  }, [text, query, leaving]);

  return (
    <Page title="Members">
      <Card padding="0">
        <BlockStack>
          <form
            role="search"
            style={{ padding: "var(--p-space-300)" }}
            onSubmit={(event) => {
              event.preventDefault();
              search(text);
            }}
          >
            <TextField
              label="Search members"
              labelHidden
              placeholder="Search by email or customer id"
              autoComplete="off"
              value={text}
              onChange={setText}
              clearButton
              onClearButtonClick={() => setText("")}
            />
          </form>
          {members.length === 0 ? (
            <EmptyState heading={query ? "No members match" : "No members yet"} image="">
              <p>
                {query
                  ? "Try the start of an email address, or a whole customer id."
                  : "Customers join on your storefront or with their first paid order. You can also import members from a file."}
              </p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "member", plural: "members" }}
              itemCount={members.length}
              selectable={false}
              condensed={smDown}
              loading={searching}
              headings={[
                { title: "Member" },
                { title: "Tier" },
                { title: "Available", alignment: "end" },
                { title: "Pending", alignment: "end" },
                { title: "Lifetime", alignment: "end" },
              ]}
              pagination={{
                hasPrevious: Boolean(cursor),
                onPrevious: () => setParams(query ? { query } : {}),
                hasNext: Boolean(nextCursor),
                onNext: () => setParams({ ...(query ? { query } : {}), cursor: nextCursor! }),
              }}
            >
              {members.map((m, i) => {
                const name = (
                  <Link url={`/app/members/${m.customerId}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {m.email ?? `Customer ${m.customerId}`}
                    </Text>
                  </Link>
                );
                const state =
                  m.state !== "active" ? <Badge tone="attention">{m.state === "opted_out" ? "Opted out" : m.state}</Badge> : null;
                return (
                  <IndexTable.Row
                    id={m.customerId}
                    key={m.customerId}
                    position={i}
                    onClick={() => navigate(`/app/members/${m.customerId}`)}
                  >
                    {smDown ? (
                      // A phone: one cell, the member above their figures.
                      <div style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
                        <BlockStack gap="100">
                          <InlineStack gap="200" blockAlign="center" wrap={false}>
                            <div style={{ minWidth: 0, overflow: "hidden", textOverflow: "ellipsis" }}>{name}</div>
                            {state}
                          </InlineStack>
                          <InlineStack align="space-between" gap="200">
                            <Text as="span" tone="subdued" variant="bodySm">
                              {m.tier ?? "No tier"}
                            </Text>
                            <Text as="span" variant="bodySm" numeric>
                              {number.format(m.points.available)} available · {number.format(m.points.lifetime)} lifetime
                            </Text>
                          </InlineStack>
                        </BlockStack>
                      </div>
                    ) : (
                      <>
                        <IndexTable.Cell>
                          <InlineStack gap="200" blockAlign="center" wrap={false}>
                            {name}
                            {state}
                          </InlineStack>
                        </IndexTable.Cell>
                        <IndexTable.Cell>{m.tier ?? "—"}</IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(m.points.available)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(m.points.pending)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(m.points.lifetime)}
                          </Text>
                        </IndexTable.Cell>
                      </>
                    )}
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          )}
        </BlockStack>
      </Card>
    </Page>
  );
}
