import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  ChoiceList,
  EmptyState,
  Filters,
  IndexTable,
  InlineStack,
  Link,
  List,
  Page,
  Select,
  Text,
  TextField,
  useBreakpoints,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import db from "~/db.server";
import { memberListQuery } from "~/domain/member-list";
import { fieldErrors, type FieldError } from "~/domain/program-document";
import { AdminInputError, listMembers } from "~/models/member-admin.server";
import { currentRules, tierSetup } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const parsed = memberListQuery(url.searchParams);
  const [setup, shop] = await Promise.all([
    tierSetup(db, session.shop),
    db.shop.findUniqueOrThrow({ where: { id: session.shop } }),
  ]);
  const tiers = setup.tiers.map((t) => ({ id: t.id, name: t.name }));
  const rules = await currentRules(db, session.shop, shop.programVersion);
  const params = Object.fromEntries(url.searchParams);
  const filters = { tiers, pilotTag: rules.pilotTag };
  if (!parsed.success) return { params, ...filters, members: [], nextCursor: null, errors: fieldErrors(parsed.error) };
  try {
    return { params, ...filters, ...(await listMembers(db, session.shop, parsed.data)), errors: [] as FieldError[] };
  } catch (error) {
    if (error instanceof AdminInputError) return { params, ...filters, members: [], nextCursor: null, errors: error.errors };
    throw error;
  }
}

const number = new Intl.NumberFormat("en");
const SORTS = [
  { label: "Joined, newest first", value: "joined:desc" },
  { label: "Joined, oldest first", value: "joined:asc" },
  { label: "Balance, highest first", value: "balance:desc" },
  { label: "Balance, lowest first", value: "balance:asc" },
  { label: "Lifetime points, highest first", value: "lifetime:desc" },
  { label: "Last activity, latest first", value: "last_activity:desc" },
  { label: "Last activity, earliest first", value: "last_activity:asc" },
];
const ACTIVITY = [
  { label: "Active in the last 30 days", value: "active:30" },
  { label: "Active in the last 90 days", value: "active:90" },
  { label: "No activity for 90 days", value: "inactive:90" },
  { label: "No activity for a year", value: "inactive:365" },
];
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
/** The filter and sort parameters a page link keeps (the cursor and search are set apart). */
const FILTER_KEYS = [
  "tier",
  "balanceMin",
  "balanceMax",
  "activeSince",
  "inactiveSince",
  "pilot",
  "excluded",
  "sort",
  "direction",
];

export default function MembersPage() {
  const { members, nextCursor, params, tiers, pilotTag, errors } = useLoaderData<typeof loader>();
  const query = params.query ?? "";
  const cursor = params.cursor;
  const [, setParams] = useSearchParams();
  const [text, setText] = useState(query);
  const [balanceMin, setBalanceMin] = useState(params.balanceMin ?? "");
  const [balanceMax, setBalanceMax] = useState(params.balanceMax ?? "");
  const navigate = useNavigate();
  const { smDown } = useBreakpoints();
  const navigation = useNavigation();
  const location = useLocation();
  // Leaving the list (a member was opened) cancels a search still waiting to be sent, which would
  // otherwise bring the merchant back to the list.
  const leaving = Boolean(navigation.location && navigation.location.pathname !== location.pathname);
  const searching = navigation.state === "loading" && navigation.location?.pathname === location.pathname;
  /** The list with some parameters changed (a new search or filter starts from the first page). */
  const update = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string> = {};
    for (const key of ["query", ...FILTER_KEYS]) {
      const value = key in changes ? changes[key] : params[key];
      if (value) next[key] = value;
    }
    setParams(next, { replace: true });
  };
  const search = (value: string) => update({ query: value });
  useEffect(() => {
    if (text === query || leaving) return;
    const timer = setTimeout(() => search(text), 300);
    return () => clearTimeout(timer);
  }, [text, query, leaving]);
  // Balance bounds are typed: sent when the merchant pauses.
  useEffect(() => {
    if ((balanceMin === (params.balanceMin ?? "") && balanceMax === (params.balanceMax ?? "")) || leaving) return;
    const timer = setTimeout(() => update({ balanceMin: balanceMin.trim(), balanceMax: balanceMax.trim() }), 500);
    return () => clearTimeout(timer);
  }, [balanceMin, balanceMax]);

  const activity = params.activeSince
    ? { kind: "active", since: params.activeSince }
    : params.inactiveSince
      ? { kind: "inactive", since: params.inactiveSince }
      : null;
  const tierName = (id: string) => (id === "none" ? "No tier" : (tiers.find((t) => t.id === id)?.name ?? "Unknown tier"));
  const filters = [
    {
      key: "tier",
      label: "Tier",
      filter: (
        <ChoiceList
          title="Tier"
          titleHidden
          choices={[...tiers.map((t) => ({ label: t.name, value: t.id })), { label: "No tier", value: "none" }]}
          selected={params.tier ? [params.tier] : []}
          onChange={([value]) => update({ tier: value })}
        />
      ),
      shortcut: true,
    },
    {
      key: "balance",
      label: "Balance",
      filter: (
        <BlockStack gap="200">
          <TextField label="At least" type="number" autoComplete="off" value={balanceMin} onChange={setBalanceMin} />
          <TextField label="At most" type="number" autoComplete="off" value={balanceMax} onChange={setBalanceMax} />
        </BlockStack>
      ),
      shortcut: true,
    },
    {
      key: "activity",
      label: "Last activity",
      filter: (
        <ChoiceList
          title="Last activity"
          titleHidden
          choices={ACTIVITY}
          selected={[]}
          onChange={([value]) => {
            const [kind, days] = (value ?? "").split(":");
            const since = daysAgo(Number(days));
            update(
              kind === "active"
                ? { activeSince: since, inactiveSince: undefined }
                : { inactiveSince: since, activeSince: undefined },
            );
          }}
        />
      ),
      shortcut: true,
    },
    ...(pilotTag
      ? [
          {
            key: "pilot",
            label: "Pilot",
            filter: (
              <ChoiceList
                title="Pilot"
                titleHidden
                choices={[{ label: `Tagged ${pilotTag}`, value: "1" }]}
                selected={params.pilot ? ["1"] : []}
                onChange={([value]) => update({ pilot: value })}
                allowMultiple
              />
            ),
          },
        ]
      : []),
    {
      key: "excluded",
      label: "Excluded",
      filter: (
        <ChoiceList
          title="Excluded"
          titleHidden
          choices={[
            { label: "Excluded from the club", value: "1" },
            { label: "Taking part", value: "0" },
          ]}
          selected={params.excluded ? [params.excluded] : []}
          onChange={([value]) => update({ excluded: value })}
        />
      ),
    },
  ];
  const applied = [
    ...(params.tier
      ? [{ key: "tier", label: `Tier: ${tierName(params.tier)}`, onRemove: () => update({ tier: undefined }) }]
      : []),
    ...(params.balanceMin || params.balanceMax
      ? [
          {
            key: "balance",
            label: `Balance ${params.balanceMin ? `≥ ${params.balanceMin}` : ""}${params.balanceMin && params.balanceMax ? ", " : ""}${params.balanceMax ? `≤ ${params.balanceMax}` : ""}`,
            onRemove: () => {
              setBalanceMin("");
              setBalanceMax("");
              update({ balanceMin: undefined, balanceMax: undefined });
            },
          },
        ]
      : []),
    ...(activity
      ? [
          {
            key: "activity",
            label: activity.kind === "active" ? `Active since ${activity.since}` : `No activity since ${activity.since}`,
            onRemove: () => update({ activeSince: undefined, inactiveSince: undefined }),
          },
        ]
      : []),
    ...(params.pilot ? [{ key: "pilot", label: `Tagged ${pilotTag}`, onRemove: () => update({ pilot: undefined }) }] : []),
    ...(params.excluded
      ? [
          {
            key: "excluded",
            label: params.excluded === "1" ? "Excluded" : "Taking part",
            onRemove: () => update({ excluded: undefined }),
          },
        ]
      : []),
  ];
  const sortValue = `${params.sort ?? "joined"}:${params.direction ?? "desc"}`;
  // Beside the search on a wide screen; under it on a phone, so the search keeps its width.
  const sort = (
    <div style={smDown ? undefined : { minWidth: 240, marginLeft: "var(--p-space-200)" }}>
      <Select
        label="Sort"
        labelInline
        options={SORTS}
        value={sortValue}
        onChange={(value) => {
          const [by, direction] = value.split(":");
          update({ sort: by, direction });
        }}
      />
    </div>
  );
  const filtered = Boolean(query) || applied.length > 0;
  const pageParams = () => {
    const next: Record<string, string> = {};
    for (const key of ["query", ...FILTER_KEYS]) if (params[key]) next[key] = params[key]!;
    return next;
  };

  return (
    <Page title="Members">
      <Card padding="0">
        <BlockStack>
          <div style={{ padding: "var(--p-space-200) var(--p-space-300)" }}>
            <BlockStack gap="200">
              <Filters
                queryValue={text}
                queryPlaceholder="Search by name, email or customer id"
                onQueryChange={setText}
                onQueryClear={() => setText("")}
                filters={filters}
                appliedFilters={applied}
                onClearAll={() => {
                  setText("");
                  setBalanceMin("");
                  setBalanceMax("");
                  setParams(params.sort ? { sort: params.sort, direction: params.direction ?? "desc" } : {}, { replace: true });
                }}
              >
                {smDown ? null : sort}
              </Filters>
              {smDown ? sort : null}
              {errors.length ? (
                <Banner tone="warning" title="These filters cannot be used">
                  <List>
                    {errors.map((e) => (
                      <List.Item key={e.path}>
                        {e.path}: {e.message}
                      </List.Item>
                    ))}
                  </List>
                </Banner>
              ) : null}
            </BlockStack>
          </div>
          {members.length === 0 ? (
            <EmptyState heading={filtered ? "No members match" : "No members yet"} image="">
              <p>
                {filtered
                  ? "Try the start of a name or an email address, a whole customer id, or fewer filters."
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
                onPrevious: () => setParams(pageParams()),
                hasNext: Boolean(nextCursor),
                onNext: () => setParams({ ...pageParams(), cursor: nextCursor! }),
              }}
            >
              {members.map((m, i) => {
                const name = (
                  <Link url={`/app/members/${m.customerId}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {m.name ?? m.email ?? `Customer ${m.customerId}`}
                    </Text>
                  </Link>
                );
                const state = m.excluded ? (
                  <Badge tone="critical">Excluded</Badge>
                ) : m.state !== "active" ? (
                  <Badge tone="attention">{m.state === "opted_out" ? "Opted out" : m.state}</Badge>
                ) : null;
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
