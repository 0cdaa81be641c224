"""Japanese support texts of the cosmetics brand: inquiries, e-mails and chats by topic.

Each topic composes a record from several independent sentence parts (opening, situation,
detail, request, closing) filled with the customer's own products, order numbers, dates and
amounts, so that no two records read alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from demo.catalog import Product
from demo.common import ja_date, join_ja, maybe, pick, yen
from demo.content import load


def bank(part: str) -> list[str]:
    """One sentence bank of data/texts_beauty.yaml (openings, closings, skin types, replies)."""
    return load("texts_beauty")[part]


@dataclass(frozen=True)
class BeautyCtx:
    """What a cosmetics text may mention about its customer and their last order."""

    family: str
    product: Product
    order_no: str
    order_date: date
    when: date
    staff: str


def _delivery_delay(r: Random, c: BeautyCtx) -> tuple[str, str]:
    due = c.order_date + timedelta(days=r.randint(2, 4))
    late = (c.when - due).days or 2
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "{d}に注文した{no}がまだ届いていません。",
                    "注文番号{no}({d}注文)の商品が未着です。",
                    "{d}に注文した{p}がまだ手元にありません。",
                ],
                d=ja_date(c.order_date, r),
                no=c.order_no,
                p=c.product.short,
            ),
            pick(
                r,
                [
                    "お届け予定日は{due}と表示されていましたが、{n}日過ぎています。",
                    "発送完了メールは届いたのですが、追跡番号で調べても「配達中」のままです。",
                    "配送状況のページが{n}日間更新されていません。",
                ],
                due=ja_date(due),
                n=late,
            ),
            maybe(
                r,
                0.6,
                [
                    "週末に旅行へ持って行きたかったので困っています。",
                    "ちょうど使い切ってしまったところです。",
                    "プレゼント用なので{d2}までに必要です。",
                    "前回も少し遅れた気がします。",
                ],
                d2=ja_date(c.when + timedelta(days=5)),
            ),
            pick(
                r,
                [
                    "いつ届くか確認していただけますか。",
                    "再発送か、届かない場合はキャンセルを希望します。",
                    "状況を教えてください。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(
        r,
        [
            "商品が届きません",
            "配送遅延について",
            f"{c.order_no} 未着の件",
            "注文品の到着が遅れている",
        ],
    ), body


def _usage(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "{p}を購入しました。",
                    "先日{p}を買ったのですが、",
                    "{p}を使い始めて{w}週間です。",
                ],
                p=c.product.short,
                w=r.randint(1, 4),
            ),
            pick(
                r,
                [
                    "化粧水の前と後、どちらに使うのが正しいですか。",
                    "朝と夜、どちらに使うのがおすすめでしょうか。",
                    "1回の使用量はどのくらいが適量ですか。",
                    "他社の美容液と重ねて使っても問題ないでしょうか。",
                    "レチノール配合のクリームと併用しても大丈夫ですか。",
                ],
            ),
            maybe(
                r,
                0.7,
                ["肌質は{s}です。", "最近{s}に傾いている気がします。"],
                s=r.choice(bank("skin")),
            ),
            maybe(
                r,
                0.4,
                ["説明書をなくしてしまいました。", "店頭で聞きそびれてしまいました。"],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(
        r, ["使い方について", "使用順序の質問", f"{c.product.short}の使い方", "併用について"]
    ), body


def _ingredient(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "{p}の成分について教えてください。",
                    "{p}の購入を検討しています。",
                    "{p}を使いたいのですが気になる点があります。",
                ],
                p=c.product.short,
            ),
            pick(
                r,
                [
                    "エタノール(アルコール)は入っていますか。",
                    "ナッツ由来の成分は含まれていますか。小麦アレルギーもあります。",
                    "パラベンフリーでしょうか。",
                    "妊娠中でも使えますか。",
                    "香料は天然精油ですか。",
                ],
            ),
            maybe(
                r,
                0.6,
                [
                    "以前、他社の化粧品で赤みが出たことがあります。",
                    "皮膚科で{s}と言われています。",
                    "子どもと一緒に使う予定です。",
                ],
                s=r.choice(bank("skin")),
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["成分についての質問", "アレルギーの確認", "配合成分の問い合わせ"]), body


def _subscription(r: Random, c: BeautyCtx) -> tuple[str, str]:
    nxt = c.when + timedelta(days=r.randint(5, 20))
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "定期便を利用しています。",
                    "{p}の定期便について相談です。",
                    "定期便(毎月お届け)の件です。",
                ],
                p=c.product.short,
            ),
            pick(
                r,
                [
                    "次回{d}のお届けを1回お休みしたいです。",
                    "お届け周期を1か月から2か月に変更できますか。",
                    "使い切れずに在庫が増えてしまったので、次回分をスキップしたいです。",
                    "お届け日を毎月25日前後に変更したいです。",
                    "セット内容を乳液からクリームに変えたいです。",
                ],
                d=ja_date(nxt),
            ),
            maybe(
                r,
                0.5,
                [
                    "マイページで変更しようとしたのですが、締め切りを過ぎていると表示されました。",
                    "解約ではなく一時休止を希望します。",
                    "割引率は変わらないか心配です。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["定期便の変更", "定期便スキップ希望", "お届け周期の変更について"]), body


def _address(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "引っ越しのため、お届け先住所を変更したいです。",
                    "{d}から住所が変わります。",
                    "注文{no}の配送先を実家に変更できますか。",
                ],
                d=ja_date(c.when + timedelta(days=10)),
                no=c.order_no,
            ),
            maybe(
                r,
                0.6,
                [
                    "定期便の分も合わせて変更をお願いします。",
                    "マイページの登録情報はすでに更新しました。",
                    "旧住所に届いた場合は転送届を出しています。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["住所変更", "お届け先の変更", "登録情報の変更"]), body


def _return(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "{d}に届いた{p}を返品したいです。",
                    "{p}を間違えて2つ注文してしまいました。",
                    "{no}で購入した{p}が思っていた色と違いました。",
                ],
                d=ja_date(c.order_date + timedelta(days=3)),
                p=c.product.short,
                no=c.order_no,
            ),
            pick(
                r,
                ["未開封です。", "一度だけ試しましたが、ほぼ未使用です。", "外箱も残っています。"],
            ),
            pick(
                r,
                [
                    "返品の手順を教えてください。",
                    "交換は可能でしょうか。",
                    "返送料はどちらの負担になりますか。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["返品希望", "交換について", "返品・交換の相談"]), body


def _shade(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "リキッドファンデの色選びで迷っています。",
                    "ファンデーションの色番号について相談です。",
                    "ティントリップの色味を知りたいです。",
                ],
            ),
            pick(
                r,
                [
                    "普段は{s}を使っていますが、夏は日焼けして少し暗くなります。",
                    "首との色の差が気になります。",
                    "写真だと黄みが強く見えますが、実物もそうでしょうか。",
                ],
                s=r.choice(["ライトベージュ01", "ナチュラル02", "オークル03", "他社のオークル20"]),
            ),
            maybe(r, 0.5, ["近くに店舗がないので試せません。", "サンプルを送っていただけますか。"]),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["色選びの相談", "ファンデの色について", "色味の質問"]), body


def _restock(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                ["{p}が在庫切れになっています。", "{p}がオンラインストアで売り切れでした。"],
                p=c.product.short,
            ),
            pick(
                r,
                [
                    "再入荷の予定はありますか。",
                    "店舗在庫はありますか。",
                    "入荷したら連絡をもらえますか。",
                ],
            ),
            maybe(
                r, 0.5, ["あと1週間分くらいしか残っていません。", "限定品でなければ良いのですが。"]
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["再入荷について", "在庫の問い合わせ"]), body


def _gift(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "母の誕生日に{p}を贈りたいです。",
                    "友人へのお祝いに{p}を注文予定です。",
                    "職場の送別品として{p}を3つ購入したいです。",
                ],
                p=c.product.short,
            ),
            pick(
                r,
                [
                    "ギフトラッピングはできますか。",
                    "のし(紅白蝶結び)をお願いできますか。",
                    "金額の分かる明細書を同梱しないでほしいです。",
                    "メッセージカードを付けられますか。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["ギフト包装について", "ラッピングの相談", "贈り物の注文"]), body


def _payment(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "{no}の領収書を発行してほしいです。",
                    "{no}の支払い方法を変更したいです。",
                    "{no}のクレジットカード決済が二重になっていないか心配です。",
                ],
                no=c.order_no,
            ),
            pick(
                r,
                [
                    "宛名は会社名でお願いします。",
                    "コンビニ払いに変えられますか。",
                    "カードの明細に同じ金額が2件載っています。",
                    "金額は{a}です。",
                ],
                a=yen(c.product.price),
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["領収書の発行", "支払いについて", "決済の確認"]), body


def _points(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "前回の購入分のポイントが付与されていません。",
                    "誕生月クーポンが届いていません。",
                    "店舗で買った分のポイントをオンラインと合算できますか。",
                    "ポイントの有効期限を知りたいです。",
                ],
            ),
            maybe(
                r,
                0.6,
                ["{d}に店舗で{a}分購入しました。", "会員ランクはゴールドです。"],
                d=ja_date(c.order_date, r),
                a=yen(c.product.price),
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["ポイントについて", "クーポンの件", "会員ポイントの確認"]), body


def _login(r: Random, c: BeautyCtx) -> tuple[str, str]:
    body = join_ja(
        [
            pick(r, bank("open")),
            pick(
                r,
                [
                    "マイページにログインできません。",
                    "パスワード再設定のメールが届きません。",
                    "アプリにログインすると注文履歴が表示されません。",
                ],
            ),
            maybe(
                r,
                0.6,
                [
                    "迷惑メールフォルダも確認しました。",
                    "機種変更をしたばかりです。",
                    "登録メールアドレスを変えたかもしれません。",
                ],
            ),
            pick(r, bank("close")),
        ]
    )
    return pick(r, ["ログインできない", "マイページについて", "パスワード再設定"]), body


SUPPORT_TOPICS: dict[str, Callable[[Random, BeautyCtx], tuple[str, str]]] = {
    "delivery_delay": _delivery_delay,
    "usage": _usage,
    "ingredient": _ingredient,
    "subscription": _subscription,
    "address_change": _address,
    "return_exchange": _return,
    "shade": _shade,
    "restock": _restock,
    "gift": _gift,
    "payment": _payment,
    "points": _points,
    "login": _login,
}


def as_chat(r: Random, c: BeautyCtx, body: str) -> str:
    """Turn a customer message into a short chat transcript with the agent's first answer."""
    answer = pick(
        r,
        [
            "確認いたしますので少々お待ちください。",
            "ご不便をおかけして申し訳ございません。担当部署に確認します。",
            "ご質問ありがとうございます。詳しくご案内いたします。",
            "注文番号を確認しました。このままお待ちください。",
        ],
    )
    return f"お客様: {body}\n担当({c.staff}): {answer}"


def reply(r: Random, c: BeautyCtx, core: str) -> str:
    """A staff e-mail reply around its core message."""
    return "\n".join(
        [
            pick(r, bank("reply_open"), f=c.family, s=c.staff.split()[-1]),
            core,
            pick(r, bank("reply_close")),
        ]
    )
