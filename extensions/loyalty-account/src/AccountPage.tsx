// customer-account.page.render: a member's whole standing. Balances, tier and progress, rewards
// to redeem, unused codes to copy, the shop's draws to enter, dated history in pages, and the
// referral link.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loyaltyClient, type Draw, type HistoryItem, type Me, type Reward } from "../../ui-shared/client";
import { localised } from "../../ui-shared/shopify";
import {
  historyLabel,
  isolated,
  nameOf,
  orderReference,
  rewardStanding,
  signedPoints,
  tierProgress,
  type Localised,
} from "../../ui-shared/text";

export default async () => {
  render(<AccountPage />, document.body);
};

const PAGE = 10;

function AccountPage() {
  const t = localised(shopify.i18n, shopify.localization.language.value.isoCode);
  const api = loyaltyClient("customer-account", shopify.sessionToken);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [shown, setShown] = useState(PAGE);
  // Pages past the first answer's 25 entries, fetched from the app as the shopper asks for them.
  const [older, setOlder] = useState<{ items: HistoryItem[]; cursor: string | null } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "critical"; text: string } | null>(null);
  const [draws, setDraws] = useState<Draw[]>([]);
  const load = () =>
    Promise.all([api.me(), api.draws()]).then(([answer, open]) => {
      setMe(answer);
      setDraws(open);
      setOlder(null);
    });
  useEffect(() => void load(), []);

  if (me === undefined) return <s-page heading={t.translate("acc.title")} />;
  if (me === null || me.club === "closed") {
    return (
      <s-page heading={t.translate("acc.title")}>
        <s-banner tone="warning">{t.translate("acc.unavailable")}</s-banner>
      </s-page>
    );
  }
  if (!me.enrolled) {
    return (
      <s-page heading={t.translate("acc.title")}>
        <s-section>
          <s-stack gap="base">
            <s-text>{t.translate("acc.not_member")}</s-text>
            <s-button variant="primary" onClick={() => void api.join().then((a) => a.ok && setMe(a.body))}>
              {t.translate("acc.join")}
            </s-button>
          </s-stack>
        </s-section>
      </s-page>
    );
  }

  async function spend(reward: Reward) {
    setBusy(reward.id);
    setNotice(null);
    const answer = await api.redeem(reward.id);
    setBusy(null);
    if (!answer.ok) {
      return setNotice({
        tone: "critical",
        text: t.translate(answer.error === "insufficient_points" ? "redeem.short" : "redeem.failed"),
      });
    }
    setNotice({ tone: "success", text: t.translate("redeem.ready", { code: answer.body.redemption.code }) });
    await load();
  }

  async function enter(draw: Draw, entry: "paid" | "free") {
    setBusy(`${draw.id}:${entry}`);
    setNotice(null);
    const answer = await api.enterDraw(draw.id, entry);
    setBusy(null);
    if (!answer.ok) {
      return setNotice({
        tone: "critical",
        text: t.translate(answer.error === "insufficient_points" ? "acc.draw_short" : "acc.draw_failed"),
      });
    }
    setNotice({ tone: "success", text: t.translate("acc.draw_entered") });
    await load();
  }

  const points = me.points ?? { available: 0, pending: 0, lifetime: 0 };
  const history = [...(me.history ?? []), ...(older?.items ?? [])];
  const cursor = older ? older.cursor : (me.historyNextCursor ?? null);
  async function more() {
    const want = shown + PAGE;
    // The next page from the app once the entries at hand would not fill the next ten.
    if (history.length < want && cursor) {
      const page = await api.history(cursor);
      if (!page) return;
      setOlder({ items: [...(older?.items ?? []), ...page.history], cursor: page.nextCursor });
    }
    setShown(want);
  }
  const codes = me.codes ?? [];
  const next = me.nextTier;
  const progress = next && tierProgress(next);
  return (
    <s-page heading={t.translate("acc.title")}>
      <s-stack gap="large">
        {notice && <s-banner tone={notice.tone}>{notice.text}</s-banner>}
        <s-section heading={t.translate("acc.points")}>
          <s-grid gridTemplateColumns="1fr 1fr 1fr" gap="base">
            <Figure label={t.translate("acc.available")} value={t.formatNumber(points.available)} />
            <Figure label={t.translate("acc.pending")} value={t.formatNumber(points.pending)} />
            <Figure label={t.translate("acc.lifetime")} value={t.formatNumber(points.lifetime)} />
          </s-grid>
          <s-stack gap="small-300" padding="base none none none">
            <s-text>
              {me.tier ? t.translate("acc.tier", { tier: nameOf(me.tier, t.language) }) : t.translate("acc.no_tier")}
            </s-text>
            {me.tier?.perks?.length ? <Perks tier={me.tier.name} perks={me.tier.perks} t={t} /> : null}
            {next && progress ? (
              <>
                <s-progress value={progress.value} max={progress.max} accessibilityLabel={nameOf(next, t.language)} />
                <s-text color="subdued">
                  {next.spendToGo
                    ? t.translate("acc.next_tier_spend", { amount: next.spendToGo, tier: nameOf(next, t.language) })
                    : t.points("acc.next_tier", next.pointsToGo ?? 0, { tier: nameOf(next, t.language) })}
                </s-text>
                {next.perks?.length ? <Perks tier={next.name} perks={next.perks} t={t} /> : null}
              </>
            ) : null}
            {me.expiring && me.expiring.points > 0 ? (
              <s-text color="subdued">
                {t.points("acc.expiring", me.expiring.points, {
                  // A calendar day: formatted in UTC, so no time zone moves it to the day before.
                  date: t.formatDate(new Date(`${me.expiring.on}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }),
                })}
              </s-text>
            ) : null}
          </s-stack>
        </s-section>

        <s-section heading={t.translate("acc.rewards")}>
          <s-stack gap="base">
            {(me.rewards ?? []).length === 0 && <s-text>{t.translate("acc.no_rewards")}</s-text>}
            {(me.rewards ?? []).map((reward) => {
              const standing = rewardStanding(reward, points.available, null);
              return (
                <s-stack key={reward.id} direction="inline" gap="base" alignItems="center" justifyContent="space-between">
                  <s-stack gap="none">
                    <s-text type="strong">
                      <bdi>{nameOf(reward, t.language)}</bdi>
                    </s-text>
                    {reward.description ? (
                      <s-text>
                        <bdi>{reward.description}</bdi>
                      </s-text>
                    ) : null}
                    <s-text color="subdued">
                      {standing.kind === "locked"
                        ? t.translate("reward.locked", { tier: standing.tier })
                        : standing.kind === "short"
                          ? t.points("reward.short", standing.points)
                          : t.points("reward.cost", reward.pointsCost)}
                      {reward.minimumSubtotal
                        ? ` · ${t.translate("reward.minimum", { amount: t.formatMoney(reward.minimumSubtotal, me.currency) })}`
                        : ""}
                    </s-text>
                  </s-stack>
                  {standing.kind !== "short" && standing.kind !== "locked" && (
                    <s-button loading={busy === reward.id} disabled={busy !== null} onClick={() => void spend(reward)}>
                      {t.translate("reward.redeem")}
                    </s-button>
                  )}
                </s-stack>
              );
            })}
          </s-stack>
        </s-section>

        <s-section heading={t.translate("acc.codes")}>
          <s-stack gap="base">
            {codes.length === 0 && <s-text>{t.translate("acc.no_codes")}</s-text>}
            {codes.map((c) => (
              <s-stack key={c.id} direction="inline" gap="base" alignItems="center" justifyContent="space-between">
                <s-stack gap="none">
                  <s-text type="strong">{c.code}</s-text>
                  <s-text color="subdued">
                    {t.translate("acc.code_from", {
                      reward: isolated(c.name ?? ""),
                      date: t.formatDate(new Date(c.createdAt), { dateStyle: "medium" }),
                    })}
                  </s-text>
                </s-stack>
                <s-clipboard-item id={`code-${c.id}`} text={c.code} />
                <s-button variant="secondary" commandFor={`code-${c.id}`}>
                  {t.translate("acc.copy")}
                </s-button>
              </s-stack>
            ))}
          </s-stack>
        </s-section>

        {draws.length > 0 && (
          <s-section heading={t.translate("acc.draws")}>
            <s-stack gap="base">
              {draws.map((draw) => (
                <DrawLine
                  key={draw.id}
                  draw={draw}
                  t={t}
                  available={points.available}
                  busy={busy}
                  onEnter={(entry) => void enter(draw, entry)}
                />
              ))}
            </s-stack>
          </s-section>
        )}

        <s-section heading={t.translate("acc.history")}>
          <s-stack gap="small-200">
            {history.length === 0 && <s-text>{t.translate("acc.no_history")}</s-text>}
            {history.slice(0, shown).map((item) => (
              <s-stack key={item.id} direction="inline" gap="base" justifyContent="space-between">
                <s-stack gap="none">
                  <s-text>
                    {historyLabel(item, t)}
                    {orderReference(item) ? (
                      <>
                        {" "}
                        <bdi>{orderReference(item)}</bdi>
                      </>
                    ) : null}
                    {item.status === "pending" ? ` (${t.translate("acc.pending_status")})` : ""}
                  </s-text>
                  <s-text color="subdued">{t.formatDate(new Date(item.createdAt), { dateStyle: "medium" })}</s-text>
                </s-stack>
                <s-text type="strong">
                  <bdi>{signedPoints(item.points, t)}</bdi>
                </s-text>
              </s-stack>
            ))}
            {(history.length > shown || cursor) && (
              <s-button variant="secondary" onClick={() => void more()}>
                {t.translate("acc.more")}
              </s-button>
            )}
          </s-stack>
        </s-section>

        {me.referral && (
          <s-section heading={t.translate("acc.referral")}>
            <s-stack gap="small-200">
              <s-text>{t.translate("acc.referral_text")}</s-text>
              <s-stack direction="inline" gap="base" alignItems="center">
                <s-text type="strong">
                  <bdi>{me.referral.url}</bdi>
                </s-text>
                <s-clipboard-item id="referral-link" text={me.referral.url} />
                <s-button variant="secondary" commandFor="referral-link">
                  {t.translate("acc.copy")}
                </s-button>
              </s-stack>
            </s-stack>
          </s-section>
        )}
      </s-stack>
    </s-page>
  );
}

/** One draw: what it is, the member's entries, and the ways in while it takes entries. */
function DrawLine(props: {
  draw: Draw;
  t: Localised;
  available: number;
  busy: string | null;
  onEnter: (entry: "paid" | "free") => void;
}) {
  const { draw, t, available, busy, onEnter } = props;
  const room = draw.myEntries < draw.maxEntriesPerCustomer;
  const status =
    draw.won === true
      ? t.translate("acc.draw_won")
      : draw.won === false
        ? t.translate("acc.draw_lost")
        : draw.acceptingEntries
          ? t.translate("acc.draw_ends", { date: t.formatDate(new Date(draw.endsAt), { dateStyle: "medium" }) })
          : t.translate("acc.draw_closed");
  return (
    <s-stack gap="small-300">
      <s-text type="strong">
        <bdi>{draw.name}</bdi>
      </s-text>
      {draw.prize && <s-text color="subdued">{t.translate("acc.draw_prize", { prize: isolated(draw.prize) })}</s-text>}
      <s-text color="subdued">{status}</s-text>
      <s-text>
        {t.translate("acc.draw_entries", {
          n: t.formatNumber(draw.myEntries),
          max: t.formatNumber(draw.maxEntriesPerCustomer),
        })}
      </s-text>
      {draw.acceptingEntries && room && (
        <s-stack direction="inline" gap="base">
          {!draw.freeEntryUsed && (
            <s-button
              variant="secondary"
              loading={busy === `${draw.id}:free`}
              disabled={busy !== null}
              onClick={() => onEnter("free")}
            >
              {t.translate("acc.draw_free")}
            </s-button>
          )}
          {available >= draw.pointsPerEntry && (
            <s-button loading={busy === `${draw.id}:paid`} disabled={busy !== null} onClick={() => onEnter("paid")}>
              {t.points("acc.draw_enter", draw.pointsPerEntry)}
            </s-button>
          )}
        </s-stack>
      )}
    </s-stack>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <s-stack gap="none">
      <s-text color="subdued">{label}</s-text>
      <s-heading>{value}</s-heading>
    </s-stack>
  );
}

/** What the member's tier gives, in the merchant's words (in the shopper's language when given). */
function Perks(props: { tier: string; perks: string[]; t: Localised }) {
  return (
    <s-stack gap="none">
      <s-text type="strong">{props.t.translate("acc.perks", { tier: isolated(props.tier) })}</s-text>
      <s-unordered-list>
        {props.perks.map((perk, i) => (
          <s-list-item key={i}>
            <bdi>{perk}</bdi>
          </s-list-item>
        ))}
      </s-unordered-list>
    </s-stack>
  );
}
