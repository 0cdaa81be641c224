"""Japanese customer voice of the cosmetics brand: reviews, survey answers and store visits."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from demo.common import ja_date, join_ja, maybe, pick, some, yen
from demo.content import load
from demo.texts_beauty import BeautyCtx, bank


def _voice(part: str) -> list[str]:
    """One sentence bank of data/texts_voice.yaml (what customers like, dislike, who they are)."""
    return load("texts_voice")[part]


def review(r: Random, c: BeautyCtx, rating: int) -> tuple[str, str]:
    """A product review whose tone follows the star rating."""
    p = c.product
    good_n, bad_n = {5: (2, 0), 4: (2, 1), 3: (1, 1), 2: (0, 2), 1: (0, 2)}[rating]
    parts = [
        maybe(r, 0.7, _voice("context"), s=r.choice(bank("skin")), m=c.order_date.month),
        pick(
            r,
            [
                "{p}({t})を{w}使っています。",
                "{p}を購入して{w}経ちました。",
                "{p}、リピート{n}本目です。",
            ],
            p=p.short,
            t=p.taste or "無香料",
            w=r.choice(["2週間", "1か月", "3週間ほど", "2か月"]),
            n=r.randint(2, 6),
        )
        if rating >= 3
        else pick(
            r,
            ["{p}を期待して買いましたが、", "{p}を{w}試しました。"],
            p=p.short,
            w=r.choice(["1週間", "2週間", "10日ほど"]),
        ),
        *some(r, _voice("good"), good_n, good_n),
        *some(r, _voice("bad"), bad_n, bad_n),
    ]
    verdict = {
        5: ["また必ずリピートします。", "手放せない一本になりました。", "家族にも勧めました。"],
        4: ["次も買うと思います。", "値段がもう少し安ければ星5です。", "概ね満足しています。"],
        3: ["可もなく不可もなくといったところです。", "リピートするかは迷い中です。"],
        2: ["残念ながら私の肌には合いませんでした。", "リピートはしないと思います。"],
        1: ["正直がっかりしました。", "返品を考えています。"],
    }[rating]
    parts.append(pick(r, verdict))
    title = {
        5: ["手放せません", "最高の使い心地", "リピ確定"],
        4: ["満足です", "使いやすい", "良い買い物でした"],
        3: ["普通です", "まあまあ"],
        2: ["肌に合わず", "期待外れ"],
        1: ["残念でした", "合いませんでした"],
    }
    return f"{pick(r, title[rating])}({p.short})", join_ja(parts)


def survey(r: Random, c: BeautyCtx, score: int) -> tuple[str, str]:
    """A satisfaction-survey answer (score 1..5) with a free comment."""
    comments = {
        5: [
            "スタッフの方の説明が丁寧で、自分に合う商品が見つかりました。",
            "届くのが早く、梱包も丁寧でした。",
            "定期便の変更がマイページで簡単にできて助かります。",
            "サンプルが入っていて嬉しかったです。",
            "{p}を使い始めてから肌の調子が安定しています。",
            "手書きのメッセージカードに感動しました。",
        ],
        4: [
            "全体的に満足ですが、送料無料の条件をもう少し下げてほしいです。",
            "アプリのポイント表示が分かりにくいです。",
            "商品は良いのですが、店舗が少ないのが残念です。",
            "{p}の詰め替え用があれば嬉しいです。",
            "配送日時の指定枠をもっと細かくしてほしいです。",
        ],
        3: [
            "可もなく不可もなく。",
            "メールマガジンの頻度が多いと感じます。",
            "届くまでに少し時間がかかりました。",
            "{p}の効果はまだ実感できていません。",
            "価格がもう少し手頃だと続けやすいです。",
        ],
        2: [
            "問い合わせの返信が遅かったです。",
            "箱が大きすぎてゴミが増えます。",
            "欲しい色がいつも在庫切れです。",
            "{p}が肌に合うか不安で、サンプルが欲しかったです。",
        ],
        1: [
            "注文した商品と違うものが届きました。",
            "肌荒れの相談をしたのに対応が事務的でした。",
            "{p}の容器が届いた時点で破損していました。",
        ],
    }
    where = r.choice(["店舗", "オンラインストア", "アプリ"])
    body = join_ja(
        [
            f"総合満足度: {score}/5。",
            pick(
                r,
                [
                    "今回の購入({p})について: ",
                    "{w}でのお買い物({d})について: ",
                    "{d}にご購入の{p}について: ",
                ],
                p=c.product.short,
                d=ja_date(c.order_date, r),
                w=where,
            ),
            *some(r, comments[score], 1, 2, p=c.product.short),
            maybe(
                r,
                0.6,
                [
                    "今後は{x}の商品も試してみたいです。",
                    "友人に勧める可能性: {n}/10。",
                    "{w}の使い勝手は{g}。",
                ],
                x=r.choice(["エイジングケア", "メンズ", "ボディケア", "UVケア"]),
                n=min(10, score * 2),
                w=where,
                g=r.choice(["良い", "普通", "改善の余地あり"]),
            ),
        ]
    )
    return "購入後アンケート回答", body


def store_visit(r: Random, c: BeautyCtx) -> tuple[str, str]:
    """A beauty advisor's note after a counter visit."""
    p = c.product
    body = join_ja(
        [
            pick(
                r,
                ["{f}様ご来店。", "{f}様、{w}ぶりのご来店。", "{f}様が{why}でご来店されました。"],
                f=c.family,
                w=r.choice(["1か月", "3か月", "半年"]),
                why=r.choice(["買い足し", "肌相談", "タッチアップ希望"]),
            ),
            pick(
                r,
                [
                    "肌測定の結果、水分量{a}%・油分{b}%。",
                    "頬の乾燥と小鼻の皮脂が気になるとのこと。",
                    "最近マスクで口周りが荒れやすいとのお悩み。",
                    "日焼け後のくすみが気になるとのこと。",
                ],
                a=r.randint(28, 55),
                b=r.randint(8, 30),
            ),
            pick(
                r,
                [
                    "{p}をタッチアップし、{p2}も試していただいた。",
                    "{p}の使用感を確認。テクスチャーは好評。",
                    "{p}と{p2}をご購入({a})。",
                ],
                p=p.short,
                p2=r.choice(
                    [
                        "UVミルク",
                        "リペアクリーム",
                        "泡洗顔",
                        "ゆずボディローション",
                        "ティントリップ",
                    ]
                ),
                a=yen(p.price + r.choice([1650, 2860, 3080])),
            ),
            maybe(
                r,
                0.6,
                [
                    "次回は{d}頃、使用感のフォローをお約束。",
                    "サンプル({s})を3日分お渡し。",
                    "ポイントカードをアプリに統合済み。",
                    "定期便のご案内をしたが、今回は見送り。",
                ],
                d=ja_date(c.when + timedelta(days=30)),
                s=r.choice(["美容液", "クリーム", "クレンジング"]),
            ),
        ]
    )
    return pick(r, ["店頭カウンセリング", "来店メモ", "タッチアップ記録"]), body
