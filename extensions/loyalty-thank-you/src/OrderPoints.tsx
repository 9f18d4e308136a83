// What an order earns, the balance and tier progress after it, an invitation to join, and the
// recommendation question (answered once per order). Shows nothing when the app cannot answer.
import { useEffect, useState } from "preact/hooks";
import type { loyaltyClient, Me } from "../../ui-shared/client";
import { nameOf, tierProgress, type Localised } from "../../ui-shared/text";

interface Props {
  api: ReturnType<typeof loyaltyClient>;
  t: Localised;
  orderId: string;
  subtotal: { amount: string; currency: string };
}

const SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export function OrderPoints({ api, t, orderId, subtotal }: Props) {
  const [me, setMe] = useState<Me | null>(null);
  const [joined, setJoined] = useState(false);
  const [score, setScore] = useState<number | null>(null);
  const [sending, setSending] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    void api.me({ order: orderId, subtotal: subtotal.amount, currency: subtotal.currency }).then((answer) => {
      setMe(answer);
      if (answer?.order?.survey) setScore(answer.order.survey.score);
    });
  }, [orderId]);

  if (!me || me.club === "closed") return null;

  async function join() {
    const answer = await api.join();
    if (answer.ok) {
      setJoined(true);
      setMe({ ...answer.body, order: me!.order, estimate: me!.estimate });
    }
  }

  // Thanks only once the answer is stored: a shopper told "thank you" for an answer that was lost
  // would see the question again on the order status page.
  async function answer(value: number) {
    setSending(value);
    setFailed(false);
    const stored = await api.survey(orderId, value);
    setSending(null);
    if (stored.ok) setScore(stored.body.answer.score);
    else setFailed(true);
  }

  return (
    <s-section heading={t.translate("ty.heading")}>
      <s-stack gap="base">
        <Standing me={me} t={t} />
        {me.loggedIn && !me.enrolled && (
          <s-stack gap="small-200">
            <s-text>{t.translate("ty.join")}</s-text>
            <s-button variant="primary" onClick={() => void join()}>
              {t.translate("ty.join_button")}
            </s-button>
          </s-stack>
        )}
        {joined && <s-banner tone="success">{t.translate("ty.joined")}</s-banner>}
        <s-divider />
        {score === null ? (
          <s-stack gap="small-200">
            <s-text type="strong">{t.translate("survey.question")}</s-text>
            <s-stack direction="inline" gap="small-300">
              {SCORES.map((value) => (
                <s-button
                  key={value}
                  variant="secondary"
                  disabled={sending !== null}
                  loading={sending === value}
                  accessibilityLabel={t.translate("survey.score", { score: t.formatNumber(value) })}
                  onClick={() => void answer(value)}
                >
                  {t.formatNumber(value)}
                </s-button>
              ))}
            </s-stack>
            <s-text color="subdued">
              {t.translate("survey.low")} · {t.translate("survey.high")}
            </s-text>
            {failed && <s-text tone="critical">{t.translate("survey.failed")}</s-text>}
          </s-stack>
        ) : (
          <s-text>{t.translate("survey.thanks")}</s-text>
        )}
      </s-stack>
    </s-section>
  );
}

function Standing({ me, t }: { me: Me; t: Localised }) {
  const estimate = me.estimate?.points ?? 0;
  if (!me.loggedIn) return estimate ? <s-text>{t.points("ty.guest", estimate)}</s-text> : null;
  if (!me.enrolled) return null;
  const earned = me.order?.earned;
  let line: string | null = null;
  if (earned && earned.status === "pending") {
    line = t.points("ty.pending", earned.points, { date: t.formatDate(new Date(earned.availableAt), { dateStyle: "medium" }) });
  } else if (earned) line = t.points("ty.earned", earned.points);
  else if (estimate) line = t.points("ty.estimate", estimate);
  const next = me.nextTier;
  const progress = next && tierProgress(next);
  return (
    <s-stack gap="small-200">
      {line && <s-text type="strong">{line}</s-text>}
      <s-text>{t.points("ty.balance", me.points?.available ?? 0)}</s-text>
      {me.tier && <s-text>{t.translate("ty.tier", { tier: nameOf(me.tier, t.language) })}</s-text>}
      {next && progress ? (
        <s-stack gap="small-300">
          <s-progress value={progress.value} max={progress.max} accessibilityLabel={nameOf(next, t.language)} />
          <s-text color="subdued">
            {next.spendToGo
              ? t.translate("ty.next_tier_spend", { amount: next.spendToGo, tier: nameOf(next, t.language) })
              : t.points("ty.next_tier", next.pointsToGo ?? 0, { tier: nameOf(next, t.language) })}
          </s-text>
        </s-stack>
      ) : null}
    </s-stack>
  );
}
