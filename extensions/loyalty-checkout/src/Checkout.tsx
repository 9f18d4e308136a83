// purchase.checkout.reductions.render-after: beside the discount field. A member sees their
// balance and what they can spend here; one click redeems a reward and applies its code. A guest
// sees what this order would earn. Anything unexpected (no network, club closed) shows nothing.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loyaltyClient, type Me, type Reward } from "../../ui-shared/client";
import { decimal, earningSubtotal, localised } from "../../ui-shared/shopify";
import { nameOf, rewardStanding, type Localised } from "../../ui-shared/text";

export default async () => {
  render(<Checkout />, document.body);
};

type Notice = { tone: "success" | "critical" | "info"; text: string } | null;

export function Checkout() {
  const t = localised(shopify.i18n, shopify.localization.language.value.isoCode);
  const api = loyaltyClient("checkout", shopify.sessionToken);
  const subtotal = shopify.cost.subtotalAmount.value;
  const [me, setMe] = useState<Me | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  // The order's discounts change while the page is open (a reward's code applied here, or another
  // code): the estimate follows what the order would earn now.
  const [allocations, setAllocations] = useState(shopify.discountAllocations.value);
  useEffect(() => shopify.discountAllocations.subscribe(setAllocations), []);
  const earningOn = earningSubtotal(subtotal, allocations);

  useEffect(() => {
    void api.me({ subtotal: decimal(earningOn), currency: subtotal.currencyCode }).then(setMe);
  }, [earningOn, subtotal.currencyCode]);

  if (!me || me.club === "closed") return null;
  const inShopCurrency = subtotal.currencyCode === me.currency;
  const estimate = me.estimate?.points ?? 0;

  if (!me.loggedIn || !me.enrolled) {
    if (!estimate) return null;
    return (
      <s-stack gap="small-200">
        <s-text>{t.points(me.loggedIn ? "join.earn" : "guest.earn", estimate)}</s-text>
        {!me.loggedIn && <s-text color="subdued">{t.translate("guest.login")}</s-text>}
      </s-stack>
    );
  }

  const available = me.points?.available ?? 0;
  const applied = new Set(shopify.discountCodes.value.map((d) => d.code.toUpperCase()));
  const canApply = shopify.instructions.value.discounts.canUpdateDiscountCodes;

  async function spend(reward: Reward) {
    setBusy(reward.id);
    setNotice(null);
    const answer = await api.redeem(reward.id);
    if (!answer.ok) {
      setBusy(null);
      const key = answer.error === "insufficient_points" ? "redeem.short" : "redeem.failed";
      return setNotice({ tone: "critical", text: t.translate(key) });
    }
    const { code } = answer.body.redemption;
    setMe({ ...me!, points: answer.body.points });
    const result = canApply ? await shopify.applyDiscountCodeChange({ type: "addDiscountCode", code }) : null;
    setBusy(null);
    setNotice(
      result?.type === "success"
        ? { tone: "success", text: t.translate("redeem.applied", { code }) }
        : { tone: "info", text: t.translate("redeem.saved", { code }) },
    );
  }

  return (
    <s-stack gap="small-200">
      <s-text type="strong">{t.points("balance", available)}</s-text>
      {estimate > 0 && <s-text color="subdued">{t.points("member.earn", estimate)}</s-text>}
      {notice && <s-banner tone={notice.tone}>{notice.text}</s-banner>}
      {(me.rewards ?? []).map((reward) => (
        <RewardRow
          key={reward.id}
          reward={reward}
          t={t}
          why={whyNot(reward, available, inShopCurrency ? decimal(subtotal.amount) : null, me.currency, t)}
          busy={busy === reward.id}
          disabled={busy !== null || applied.size > 0}
          onRedeem={() => void spend(reward)}
        />
      ))}
      {applied.size > 0 && !notice && <s-text color="subdued">{t.translate("one_code")}</s-text>}
    </s-stack>
  );
}

function whyNot(reward: Reward, available: number, subtotal: string | null, currency: string, t: Localised): string | null {
  const standing = rewardStanding(reward, available, subtotal);
  if (standing.kind === "locked") return t.translate("reward.locked", { tier: standing.tier });
  if (standing.kind === "short") return t.points("reward.short", standing.points);
  if (standing.kind === "minimum") return t.translate("reward.minimum", { amount: t.formatMoney(standing.amount, currency) });
  return null;
}

function RewardRow(props: {
  reward: Reward;
  t: Localised;
  why: string | null;
  busy: boolean;
  disabled: boolean;
  onRedeem: () => void;
}) {
  const { reward, t, why } = props;
  return (
    <s-stack direction="inline" gap="small-200" alignItems="center" justifyContent="space-between">
      <s-stack gap="none">
        <s-text>
          <bdi>{nameOf(reward, t.language)}</bdi>
        </s-text>
        <s-text color="subdued">{why ?? t.points("reward.cost", reward.pointsCost)}</s-text>
      </s-stack>
      {why === null && (
        <s-button variant="secondary" loading={props.busy} disabled={props.disabled} onClick={props.onRedeem}>
          {t.translate("reward.redeem")}
        </s-button>
      )}
    </s-stack>
  );
}
