"""Japanese customer voice of the cosmetics brand: reviews, survey answers and store visits."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from knowledge.demo.common import ja_date, join_ja, maybe, pick, some, yen
from knowledge.demo.texts_beauty import SKIN, BeautyCtx

GOOD = [
    "肌なじみが良く、すっと浸透します。",
    "翌朝の肌がもちもちしています。",
    "香りが強すぎず、癒されます。",
    "べたつかないので朝のメイク前にも使えます。",
    "乾燥しがちな頬の粉ふきが落ち着きました。",
    "少量でよく伸びるのでコスパが良いです。",
    "パッケージが上品で洗面台に置いて気分が上がります。",
    "敏感肌でも刺激を感じませんでした。",
    "毛穴の目立ちが少しましになった気がします。",
    "夕方になってもくすみにくくなりました。",
    "ポンプ式で使いやすいです。",
]
BAD = [
    "少しべたつきが残るのが気になります。",
    "香りが思っていたより強めでした。",
    "量の割に値段が高いと感じます。",
    "容器が開けにくいです。",
    "効果はまだよく分かりません。",
    "冬場は保湿力が物足りないです。",
    "塗った直後に少しピリッとしました。",
    "色が写真より暗く見えました。",
]
CONTEXT = [
    "{s}で、季節の変わり目はいつも荒れがちです。",
    "30代後半になり乾燥が気になり始めました。",
    "仕事柄マスクをしている時間が長いです。",
    "エアコンの効いたオフィスで一日過ごしています。",
    "{m}月から使い始めました。",
    "友人に勧められて購入しました。",
    "店頭でタッチアップしてもらって決めました。",
    "トライアルセットが良かったので現品を買いました。",
]


def review(r: Random, c: BeautyCtx, rating: int) -> tuple[str, str]:
    """A product review whose tone follows the star rating."""
    p = c.product
    good_n, bad_n = {5: (2, 0), 4: (2, 1), 3: (1, 1), 2: (0, 2), 1: (0, 2)}[rating]
    parts = [
        maybe(r, 0.7, CONTEXT, s=r.choice(SKIN), m=c.order_date.month),
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
        *some(r, GOOD, good_n, good_n),
        *some(r, BAD, bad_n, bad_n),
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
        ],
        4: [
            "全体的に満足ですが、送料無料の条件をもう少し下げてほしいです。",
            "アプリのポイント表示が分かりにくいです。",
            "商品は良いのですが、店舗が少ないのが残念です。",
        ],
        3: [
            "可もなく不可もなく。",
            "メールマガジンの頻度が多いと感じます。",
            "届くまでに少し時間がかかりました。",
        ],
        2: [
            "問い合わせの返信が遅かったです。",
            "箱が大きすぎてゴミが増えます。",
            "欲しい色がいつも在庫切れです。",
        ],
        1: ["注文した商品と違うものが届きました。", "肌荒れの相談をしたのに対応が事務的でした。"],
    }
    body = join_ja(
        [
            f"総合満足度: {score}/5。",
            pick(
                r,
                ["今回の購入({p})について: ", "最近のお買い物について: ", "{d}のご購入について: "],
                p=c.product.short,
                d=ja_date(c.order_date, r),
            ),
            pick(r, comments[score]),
            maybe(
                r,
                0.5,
                ["今後は{x}の商品も試してみたいです。", "友人に勧める可能性: {n}/10。"],
                x=r.choice(["エイジングケア", "メンズ", "ボディケア", "UVケア"]),
                n=min(10, score * 2),
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
